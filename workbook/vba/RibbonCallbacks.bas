Attribute VB_Name = "RibbonCallbacks"
' Ribbon callbacks of the subsidy_xl add-in (workbook/customUI.xml).
' Each button runs one function of subsidy_xl.excel.macros in Python through
' the add-in's RunPython. Keep this file ASCII: user-facing text is in Python.
Option Explicit

Public Sub OnRefreshAll(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.refresh_all()"
End Sub

Public Sub OnCheck(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.check()"
End Sub

Public Sub OnFillPerformance(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.fill_performance()"
End Sub

Public Sub OnBuildQuarterly(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.build_quarterly()"
End Sub

Public Sub OnImportStreets(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.import_streets()"
End Sub

Public Sub OnExportPackage(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.export_package()"
End Sub

Public Sub OnShowHelp(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.show_help()"
End Sub

Public Sub OnShowAbout(control As IRibbonControl)
    RunPython "import subsidy_xl.excel.macros as m; m.show_about()"
End Sub
