"""Builds the corpus of real, public 绩效目标表 as an office receives them.

Each form's text content is copied from a table published by a government office
(the source URL and title are in the form's .json sidecar); only the file format is
ours: a Word table with merged level cells (python-docx) or an Excel sheet with
merged cells (openpyxl). Long tables are truncated at a row boundary (the sidecar
says so). In a grid, "^" merges the cell with the one above and "<" with the one
to its left. Run from the repository root: python tests/data/performance_forms/make_forms.py
"""
from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
UP, LEFT = "^", "<"

FORMS: dict[str, list[list[str | None]]] = {}

# 01 湖南 岳阳县 2022 乡村振兴衔接资金绩效目标申报表（高标准农田建设）
FORMS["01_hunan_yueyang_2022_shenbao.docx"] = [
    ["绩效目标申报表(基础设施建设类)", LEFT, LEFT, LEFT, LEFT],
    ["(2022年度)", LEFT, LEFT, LEFT, LEFT],
    ["项目名称", "岳阳县2022年高标准农田建设项目", LEFT, "项目负责人及电话", "彭兵"],
    ["主管部门", "岳阳县农业农村局", LEFT, "实施单位", "农田建设服务中心"],
    ["资金情况 (万元)", "年度资金总额:", "854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)", LEFT, LEFT],
    [UP, "其中:财政拨款", "854万854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)", LEFT, LEFT],
    [UP, "其他资金", None, LEFT, LEFT],
    ["总体目标", "年度目标", "完成项目主体工程70%", LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    [UP, "产出指标", "数量指标", "脱贫村村内道路硬化里程", "≥100公里"],
    [UP, UP, UP, "脱贫户供水设施数量", "≥20座"],
    [UP, UP, "质量指标", "项目(工程)验收合格率", "100%"],
    [UP, UP, "时效指标", "项目(工程)完成及时率", "≥100%"],
    [UP, UP, "成本指标", "财政资金补助", "1600元/亩"],
    [UP, "效益指标", "经济效益指标", "年增粮食", "3500公斤"],
    [UP, UP, "社会效益指标", "受益脱贫(监测)人口数", "≥500人"],
    [UP, UP, UP, "解决脱贫(监测)饮水安全问题人数", "≥1000人"],
    [UP, UP, "生态效益指标", "新增和改善灌溉达标面积", "≥500亩"],
    [UP, UP, UP, "新增和改善排水达标面积", "≥200亩"],
    [UP, UP, "可持续影响指标", "工程设计使用年限", "≥20年"],
    [UP, "满意度指标", "服务对象满意度指标", "受益脱贫(监测)户满意度", "≥95%"],
    ["注:各地请根据实际情况,从上述绩效指标中选择适合的填报(其中三颗星为必填的核心绩效指标,可结合已下达的中央对地方专项转移支付绩效指标),也可自行增加或适当调整。",
     LEFT, LEFT, LEFT, LEFT],
]

# 02 安徽 池州市贵池区棠溪镇 2022 项目支出绩效自评表（村级补助及运转经费）
FORMS["02_anhui_tangxi_2022_ziping_cunji.xlsx"] = [
    ["项目支出绩效自评表", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["(2022年度)", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["项目名称", "村级补助及运转经费", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["主管部门", "219-池州市贵池区棠溪镇人民政府", LEFT, LEFT, "实施单位", "219001-池州市贵池区棠溪镇人民政府", LEFT, LEFT, LEFT],
    ["项目资金 (万元)", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", None],
    [UP, "年度资金总额:", "0", "0", "0", "10", "0", "0", None],
    [UP, "其中:本年财政拨款", "202.64", "132.912", "132.912", None, None, None, None],
    [UP, "上年结转资金", None, None, None, None, None, None, None],
    [UP, "其他资金", None, None, None, None, None, None, None],
    ["年度总体目标", "预期目标", LEFT, LEFT, LEFT, "实际完成情况", LEFT, LEFT, LEFT],
    [UP, "本项目共申请预算资金2026400元,其中村级组织运转400000元,村民组长,党小组长基本报酬252000元,村民监督委员会 工资28000元,村级事务补助960000元,村级工作目标奖励100000元。",
     LEFT, LEFT, LEFT,
     "本项目共完成预算资金1329120.67元,其中村级组织运转439120.67元,村民组长,党小组长基本报酬152000元,村民监督委员会 工资28000元,村级事务补助660000元,村级工作目标奖励50000元。",
     LEFT, LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    [UP, "产出指标(50分)", "数量指标", "补助村(社区)数量", "=8个", "8", "8", "8", None],
    [UP, UP, UP, "保障村干部人数", "=42个", "42", "8", "8", None],
    [UP, UP, "质量指标", "补助资格合规性", "合规", "达成预期指标", "8", "8", None],
    [UP, UP, UP, "经费审批流程规范性", "严格执行相关制度规定", "达成预期指标", "8", "8", None],
    [UP, UP, "时效指标", "补助经费到位及时性", "及时", "达成预期指标", "8", "8", None],
    [UP, UP, "成本指标", "项目总成本", "≤202.6万元", "132.9", "10", "10", None],
    [UP, "效益指标(30分)", "经济效益指标", "对保障村(社区)两委机构正常运行的影响程度", "效果明显", "达成预期指标", "10", "10", None],
    [UP, UP, "社会效益指标", "提高村(社区)干部工作积极性的影响程度", "效果明显", "达成预期指标", "10", "10", None],
]

# 03 安徽 池州市贵池区棠溪镇 2022 项目支出绩效自评表（委托业务项目）
FORMS["03_anhui_tangxi_2022_ziping_weituo.docx"] = [
    ["项目支出绩效自评表", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["(2022年度)", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["项目名称", "委托业务项目", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["主管部门", "219-池州市贵池区棠溪镇人民政府", LEFT, LEFT, "实施单位", "219001-池州市贵池区棠溪镇人民政府", LEFT, LEFT, LEFT],
    ["项目资金 (万元)", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", None],
    [UP, "年度资金总额:", "0", "0", "0", "10", "0", "0", None],
    [UP, "其中:本年财政拨款", "90", "89.974", "89.974", None, None, None, None],
    [UP, "上年结转资金", None, None, None, None, None, None, None],
    [UP, "其他资金", None, None, None, None, None, None, None],
    ["年度总体目标", "预期目标", LEFT, LEFT, LEFT, "实际完成情况", LEFT, LEFT, LEFT],
    [UP, "本项目共申请预算资金90万元。其中:30万元用于基建工程项目预算编制;30万元用于基建工程项目审计;30万元用于基建工程项目设计、规划、测绘。",
     LEFT, LEFT, LEFT,
     "本项目共完成预算资金89.97万元。其中:30万元用于基建工程项目预算编制;30万元用于基建工程项目审计;29.99万元用于基建工程项目设计、规划、测绘。",
     LEFT, LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    [UP, "产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "≥50个", "50", "8", "8", None],
    [UP, UP, "质量指标", "委托业务报告合格率", "≥100百分比", "100", "8", "8", None],
    [UP, UP, UP, "经费支出合规性", "严格执行相关制度规定", "达成预期指标", "8", "8", None],
    [UP, UP, "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标", "8", "8", None],
    [UP, UP, "成本指标", "项目总成本", "≤90万元", "90", "8", "8", None],
    [UP, UP, UP, "单项业务成本", "符合相关规定", "达成预期指标", "10", "10", None],
    [UP, "效益指标(30分)", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", "10", "10", None],
    [UP, UP, "生态效益指标", "对控制基建项目成本影响程度", "效果明显", "达成预期指标", "10", "10", None],
    [UP, UP, "可持续影响指标", "对推动基建项目“四项制度”健全和落实的持续性影响", "效果明显", "达成预期指标", "10", "10", None],
    [UP, UP, "经济效益指标", None, None, None, None, None, None],
]

# 04 安徽 萧县张庄寨镇 2023 绩效目标自评表（河西村特色种养补贴到户项目）
FORMS["04_anhui_zhangzhuangzhai_2023_ziping.docx"] = [
    ["绩效目标自评表", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["(2023年度)", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["项目名称", "河西村特色种养补贴到户项目", LEFT, LEFT, "项目负责人及电话", "李宁0557-5788003", LEFT, LEFT, LEFT],
    ["主管部门", "县农业农村局", LEFT, LEFT, "实施单位", "张庄寨镇人民政府", LEFT, LEFT, LEFT],
    ["资金情况 (万元)", None, "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分", None, None],
    [UP, "年度资金总额:", "9.48", "9.48", "10", "100%", "10", None, None],
    [UP, "其中:本年财政拨款", "9.48", "9.48", "10", "100%", "10", None, None],
    [UP, "其他资金", "-", "-", None, None, None, None, None],
    ["年度总体目标", "年初设定目标", LEFT, LEFT, "年度总体目标完成情况综述", LEFT, LEFT, LEFT, LEFT],
    [UP, "落实39户特色种养业奖补政策,增加脱贫户家庭收入", LEFT, LEFT, "落实39户特色种养业奖补政策,增加脱贫户家庭收入", LEFT, LEFT, LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分", "未完成原因及拟采取的改进措施"],
    [UP, "产出指标(50分)", "数量指标", "★补助各类瓜果蔬菜种植面积", "20", "29.5亩", "29.5亩", "20", None],
    [UP, UP, UP, "其中桃树种植面积", None, "1.5亩", "1.5亩", None, None],
    [UP, UP, UP, "其中苹果树种植面积", None, "5亩", "5亩", None, None],
    [UP, UP, UP, "其中露天蔬菜", None, "20亩", "20亩", None, None],
    [UP, UP, UP, "其中大棚蔬菜", None, "3亩", "3亩", None, None],
    [UP, UP, UP, "★补助鱼塘面积", "10", "3亩", "3亩", "10", None],
    [UP, UP, UP, "其中鱼塘养殖面积", None, "3亩", "3亩", None, None],
    [UP, UP, UP, "★补助家畜家禽养殖数量", "10", "192只", "192只", "10", None],
    [UP, UP, UP, "其中羊养殖数量", None, "180只", "180只", None, None],
    [UP, UP, UP, "其中猪养殖数量", None, "12头", "12头", None, None],
    [UP, UP, "质量指标", "种植作物成活率", "5", "95%", "95%", "5", None],
    [UP, UP, UP, "养殖家畜家禽成活率", "5", "95%", "100%", "5", None],
    [UP, UP, UP, "……", None, None, None, None, None],
    [UP, "效益指标(30分)", "经济效益指标", "特色产业带动增加受益农户收入(总收入)", "20", "≥11.376万元", "12万元", "20", None],
    [UP, UP, "社会效益指标", "受益人口数量", "10", "90人", "90人", "10", None],
    [UP, UP, "生态效益指标", None, None, None, None, None, None],
    [UP, UP, "可持续影响指标", "……", None, None, None, None, None],
]

# 05 湖南 衡阳市南岳区 2018 绩效目标申报表（市级专项扶贫资金基础设施）
FORMS["05_hunan_nanyue_2018_shenbao.xlsx"] = [
    ["绩效目标申报表", LEFT, LEFT, LEFT, LEFT, LEFT],
    ["项目名称", "2018年市级专项扶贫资金基础设施(人大代表扶贫基地)", LEFT, "项目负责人及电话", "郭铁梅18932106863", LEFT],
    ["主管部门", "南岳镇政府", LEFT, "实施单位", "[610001]湖南省润山润水生态农业发展有限公司", LEFT],
    ["资金情况(万元)", "年度资金总额:", "10", LEFT, LEFT, LEFT],
    [UP, "其中:财政拨款", "10", LEFT, LEFT, LEFT],
    [UP, "其他资金", "0", LEFT, LEFT, LEFT],
    ["总体目标", "年度目标", LEFT, "年度总体目标完成情况", LEFT, LEFT],
    [UP, "为水濂村带来观光游客不少于6万人,村集体收入达6万元。", LEFT, None, LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "备注"],
    [UP, "产出指标", "数量指标", "贫困地区旅游基础设施建设工程", ">=20平方米", None],
    [UP, UP, UP, "贫困地区旅游景点开发数量( ≥**个 )", ">=4个", None],
    [UP, UP, UP, "流转土地", ">=60亩", None],
    [UP, UP, "质量指标", "*贫困地区旅游基础设施建设质量达标率100%", ">=98%", None],
    [UP, UP, "时效指标", "贫困地区基础设施建设按期完成率(≥**%)", ">=95%", None],
    [UP, UP, "成本指标", "流转土地补助标准", "<=475元/亩", None],
    [UP, UP, UP, "景观建设成本", "<=2875元/个", None],
    [UP, UP, UP, "贫困地区旅游基础设施建设工程建设成本", "<=3000元/平方米", None],
    [UP, "效益指标", "经济效益指标", "乡村旅游带动增加贫困村收入(≥**万元)", ">=6万元", None],
    [UP, UP, UP, "乡村旅游带动增加贫困人口收入(≥**万元)", ">=2.61万元", None],
    [UP, UP, "社会效益指标", "贫困地区乡村旅游开发景点接待游客数量(≥**人)", ">=60000人", None],
    [UP, UP, UP, "受益建档立卡贫困人口数≥**人", ">=29人", None],
    [UP, "满意度指标", "服务对象满意度指标", "旅游行业经营主体满意度(≥**%)", ">=90%", None],
    [UP, UP, UP, "参与旅游扶贫项目贫困群众满意度(≥**%)", ">=90%", None],
    [UP, UP, UP, "旅游区居民满意度(≥**%)", ">=90%", None],
    [UP, UP, UP, "游客满意度(≥**%)", ">=90%", None],
    ["财政部门支出股室初审意见", None, LEFT, "(盖章)", LEFT, LEFT],
    ["财政部门绩效评价股审核意见", None, LEFT, "(盖章)", LEFT, LEFT],
    ["区扶贫办审核意见", None, LEFT, "(盖章)", LEFT, LEFT],
]

# 06 四川 井研县马踏镇 2023 部门预算项目绩效目标申报表（村组干部报酬）
FORMS["06_sichuan_mata_2023_bumen_xiangmu.xlsx"] = [
    ["部门预算项目绩效目标申报表(2023年度)", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["金额单位:元", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向性"],
    ["820-马踏镇部门", None, "8,827,620.53", None, None, None, None, None, None, None, None, None],
    ["820001-井研县马踏镇人民政府", "村组干部报酬", "3,309,840.00", "按时发放村组干部报酬", "效益指标", "社会效益指标", "维护社会稳定", "≥", "95", "%", "10", "正向指标"],
    [UP, UP, UP, UP, "产出指标", "时效指标", "维持时效", "≥", "1", "年", "20", "正向指标"],
    [UP, UP, UP, UP, "产出指标", "质量指标", "按时发放", "≥", "1", "人/年", "10", "正向指标"],
    [UP, UP, UP, UP, "效益指标", "经济效益指标", "促进村集体经济发展", "≥", "95", "%", "10", "正向指标"],
    [UP, UP, UP, UP, "产出指标", "数量指标", "村组干部230人", "≥", "230", "个", "10", "正向指标"],
    [UP, UP, UP, UP, "效益指标", "生态效益指标", "保护生态环境卫生", "≥", "95", "%", "10", "正向指标"],
    [UP, UP, UP, UP, "效益指标", "可持续影响指标", "项目维持时效", "≥", "95", "%", "10", "正向指标"],
    [UP, UP, UP, UP, "满意度指标", "服务对象满意度指标", "人民群众满意度", "≥", "95", "%", "10", "正向指标"],
]

# 07 重庆 潼南区五桂镇 2023 一般性项目绩效目标表（在职村村干部补助）
FORMS["07_chongqing_wugui_2023_cunganbu.docx"] = [
    ["2023年一般性项目绩效目标表(一级项目)", LEFT, LEFT, LEFT, LEFT, LEFT],
    ["编制单位:", "813-潼南区五桂镇", LEFT, LEFT, "单位:万元", LEFT],
    ["专项资金名称", "在职村村干部补助", LEFT, LEFT, LEFT, LEFT],
    ["业务主管部门", "813-潼南区五桂镇", LEFT, "当年预算", "9.31", LEFT],
    ["项目概况", "对村民委员会村党支部的补助,按月发放给在职村社干部的工资", LEFT, LEFT, LEFT, LEFT],
    ["立项依据", "渝财(2022)00001", LEFT, LEFT, LEFT, LEFT],
    ["当年绩效目标", "按月及时足额发放在职村社干部的工资。", LEFT, LEFT, LEFT, LEFT],
    ["绩效指标", "指标", "指标权重", "计量单位", "指标性质", "指标值"],
    [UP, "按月发放", "20", "次", "=", "1"],
    [UP, "本土人才满意度", "10", "%", "≥", "95"],
    [UP, "发放金额", "20", "万元", "≥", "9.31"],
    [UP, "领取补助人数", "20", "人", "≥", "100"],
    [UP, "促进经济发展", "20", None, "定性", None],
]

# 08 重庆 潼南区五桂镇 2023 一般性项目绩效目标表（汇总项目库）
FORMS["08_chongqing_wugui_2023_huizong.xlsx"] = [
    ["2023年一般性项目绩效目标表(一级项目)", LEFT, LEFT, LEFT, LEFT, LEFT],
    ["编制单位:", "813-潼南区五桂镇", LEFT, LEFT, "单位:万元", LEFT],
    ["专项资金名称", "潼南区五桂镇汇总项目库", LEFT, LEFT, LEFT, LEFT],
    ["业务主管部门", "813-潼南区五桂镇", LEFT, "当年预算", "229.66", LEFT],
    ["项目概况", "潼南区五桂镇项目汇总", LEFT, LEFT, LEFT, LEFT],
    ["立项依据", "潼南区五桂镇项目汇总", LEFT, LEFT, LEFT, LEFT],
    ["当年绩效目标", "按时足额发放,保障权益", LEFT, LEFT, LEFT, LEFT],
    ["绩效指标", "指标", "指标权重", "计量单位", "指标性质", "指标值"],
    [UP, "发放人数", "20", "人数", "≥", "80"],
    [UP, "是否按时足额发放", "10", "%", "≥", "95"],
    [UP, "促进社会和谐", "20", None, "定性", None],
    [UP, "保障收入", "20", None, "定性", None],
    [UP, "保障权益", "20", None, "定性", None],
]

# 09 重庆 巴南区一品街道 2022 部门（单位）整体绩效目标表
FORMS["09_chongqing_yipin_2022_zhengti.xlsx"] = [
    ["2022年部门(单位)整体绩效目标表", LEFT, LEFT, LEFT, LEFT, LEFT],
    [None, None, None, None, "单位:万元", LEFT],
    ["部门(单位)名称", "重庆市巴南区人民政府一品街道办事处", LEFT, "区级支出预算总量", "3724.39", LEFT],
    ["当年整体绩效目标", "2022年街道预算收支平衡;保障街道机关事业在编人员工资福利支出、退休人员的医保、健康休养费及节日慰问支出等待遇、保障临聘人员劳务工资补助;保障各村居人员、办公、党建等经费支出,切实加强基层组织建设;保障辖区民政优抚对象救济补助、特困人员救助供养补助,有效改善受助对象生活水平;对村居开展安全巡逻,有效保障辖区社会秩序安全稳定;对场镇环境进行清扫保洁、绿化养护、市政设施维修,保障场镇干净卫生;对辖区125公里农村公路开展养护维修;保障春秋季强制免疫、免疫密度100%、免疫有效抗体70%以上;促进一品街道经济社会健康有序发展。",
     LEFT, LEFT, LEFT, LEFT],
    ["绩效指标", "指标名称", "指标权重", "计量单位", "指标性质", "指标值"],
    [UP, "预算执行率", "10", "%", "=", "100"],
    [UP, "预决算及时编制率", "10", "%", "=", "100"],
    [UP, "政府预决算公开率(除涉密信息外)", "10", "%", "=", "100"],
    [UP, "基层组织建设办公阵地和干部人才保障有效性", "10", None, None, "有效保障"],
    [UP, "民政优抚及特困受助对象生活水平改善情况", "10", None, None, "有效改善"],
    [UP, "民政优抚及特困补助发放及时率", "10", "%", "=", "100"],
    [UP, "农村公路养护里程", "10", "公里", "=", "125"],
    [UP, "开展各种文艺活动场次", "10", None, None, "20"],
    [UP, "森林受灾率", "10", "%", None, "1"],
    [UP, "饲养动物免疫率", "5", "%", "=", "100"],
    [UP, "服务对象满意度", "5", "%", None, "95"],
]

# 10 安徽 金寨经济开发区 2021 项目支出绩效目标申报表（物业管理）
FORMS["10_anhui_jinzhai_2021_shenbao.docx"] = [
    ["项目支出绩效目标申报表", LEFT, LEFT, LEFT, LEFT],
    ["(2021年度)", LEFT, LEFT, LEFT, LEFT],
    ["项目名称", "物业管理", LEFT, LEFT, LEFT],
    ["主管部门", "县财政局", "实施单位", "安徽金寨经济开发区管理委员会", LEFT],
    ["项目资金 (万元)", "年度资金总额:", "1125", LEFT, LEFT],
    [UP, "其中:财政拨款", "1125", LEFT, LEFT],
    [UP, "其他资金", None, LEFT, LEFT],
    ["年度目标", "目标1:维护辖区各安置小区安全巡逻、环境卫生及物业日常管理", LEFT, LEFT, LEFT],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    [UP, "产出指标", "数量指标", "指标1:安置小区物业费", "8个"],
    [UP, UP, "质量指标", "指标1:完成开发区工委、管委下达的安置小区物业费清算任务,指导小区物业开展文明创建等工作。", "房屋设备、设施的管理到位,环境卫生整洁,车辆停放有序"],
    [UP, UP, "时效指标", "指标1:按时保质完成开发区安置小区物业管理工作", "2021年全年"],
    [UP, UP, "成本指标", "指标1:项目总成本(≤**万元)", "≤1125万元"],
    [UP, "效益指标", "经济效益指标", "指标1:清算8个安置小区本年度物业费和历史的遗留物业费(≥**%)。", "≥95%"],
    [UP, UP, "社会效益指标", "指标1:改善安置小区群众生活质量,提升安置小区生活水平。助力全县文明城市创建。", "显著改善"],
    [UP, UP, "生态效益指标", "指标1:优化安置小区生活环境,提高居民生活质量,营造安全舒适的居住环境。", "显著提高"],
    [UP, UP, "可持续影响指标", "指标1:持续提供人力物力保障,解决居民群众生产生活问题", "持续保障"],
    [UP, "满意度指标", "服务对象满意度指标", "指标1:小区居民满意度(≥**%)", "≥90%"],
    ["注: 1.“其他资金”是指与财政拨款共同用于同一项目的单位自有资金、社会资金等。", LEFT, LEFT, LEFT, LEFT],
]

# 11 湖北 鄂州市 2022 市直部门预算项目支出绩效目标表（办公大楼运行保障）: a layout without 三级指标
FORMS["11_hubei_ezhou_2022_xiangmu.docx"] = [
    ["鄂州市2022年市直部门预算项目支出绩效目标表", LEFT, LEFT, LEFT, LEFT],
    ["项目名称", "滨湖大楼办公大楼运行保障", LEFT, LEFT, LEFT],
    ["绩效目标", "以办公大楼服务对象满意为目标,着力打造文明型机关、卫生Z口机关。", LEFT, LEFT, LEFT],
    ["一级指标", "二级指标", "绩效标准", "当年预期实现值", "保障绩效目标实现措施"],
    ["数量指标", "办公大楼日常维修维护次数", "反映办公大楼全年维修维护情况", "2280次", None],
    [UP, "大楼安检巡察次数", "反映大楼保卫巡检情况", "200次", None],
    ["质量指标", "办公大楼日常维修维护验收合格率", "反映办公大楼全年维修维护质量情况", ">92%", None],
    [UP, "经常性大型设备更新验收合格率", "反映办公大楼大型设备更新验收情况", "≥92%", None],
    [UP, "重要设备维修维保验收合格率", "反映设备设施维保质量情况", "95%", None],
    ["成本指标", "成本控制率", None, "不超预算", None],
]

# 12 河北 邯郸市 2019 困难群众救助补助预算指标绩效目标表: 优良中差 grades instead of one value
FORMS["12_hebei_handan_2019_jiuzhu.xlsx"] = [
    ["邯财社[2018]126号提前下达2019年中央财政困难群众救助补助预算指标绩效目标表", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["绩效目标", "保障农村低保金的发放,保障农村低保户的基本生活。", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["绩效指标分类", "绩效指标", "绩效指标描述", "绩效指标评价标准", LEFT, LEFT, LEFT, "评价标准确定依据"],
    [UP, UP, UP, "优", "良", "中", "差", UP],
    ["产出指标", "救助覆盖率", "困难群众基本生活救助是否应救尽救", "100%", "90%", "85%", "85%", "按临时救助标准评价"],
    [UP, "农村低保救助资金按标准发放的比率", "救助标准与经济社会发展水平相适应,救助资金按标准发放的比率", "90%", "80%", "70%", "70%", "按临时救助标准评价"],
    ["效果指标", "救助对象对救助工作满意度(%)", "问卷调查中,满意和较满意的救助对象数量占调研对象总数的比率", "85%", "80%", "70%", "70%", "按服务对象满意度评价"],
]

_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")


def spans(grid):
    """Merged areas as (top, left, bottom, right), 0-based inclusive, and the anchor text."""
    height, width = len(grid), len(grid[0])
    owner = {}
    for r in range(height):
        for c in range(width):
            v = grid[r][c]
            if v == LEFT:
                owner[(r, c)] = owner[(r, c - 1)]
            elif v == UP:
                owner[(r, c)] = owner[(r - 1, c)]
            else:
                owner[(r, c)] = (r, c)
    areas = {}
    for (r, c), (ar, ac) in owner.items():
        t, l, b, rr = areas.get((ar, ac), (ar, ac, ar, ac))
        areas[(ar, ac)] = (min(t, r), min(l, c), max(b, r), max(rr, c))
    return areas


def write_docx(path: Path, grid) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=len(grid), cols=len(grid[0]))
    table.style = "Table Grid"
    for (ar, ac), (t, l, b, r) in spans(grid).items():
        cell = table.cell(t, l)
        if (b, r) != (t, l):
            cell = cell.merge(table.cell(b, r))
        cell.text = grid[ar][ac] or ""
    document.save(path)


def write_xlsx(path: Path, grid) -> None:
    import openpyxl
    from openpyxl.styles import Alignment

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    for (ar, ac), (t, l, b, r) in spans(grid).items():
        value = grid[ar][ac]
        cell = ws.cell(t + 1, l + 1)
        if value is not None and _NUMBER.match(value):
            # Typed as a number, as an office's spreadsheet holds it; 8,827,620.53 shown with separators.
            number = float(value.replace(",", "")) if "." in value else int(value.replace(",", ""))
            cell.value = number
            if "," in value:
                cell.number_format = "#,##0.00"
        else:
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # "=8个" is text typed into the cell, not a formula
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if (b, r) != (t, l):
            ws.merge_cells(start_row=t + 1, start_column=l + 1, end_row=b + 1, end_column=r + 1)
    wb.save(path)


def main() -> None:
    for name, grid in FORMS.items():
        width = {len(row) for row in grid}
        assert len(width) == 1, (name, width)
        (write_docx if name.endswith(".docx") else write_xlsx)(HERE / name, grid)
        print(name)


if __name__ == "__main__":
    main()
