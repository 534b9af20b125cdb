"""The submission package: payment sheets as PDF, the 公示 version, the 问题清单 and a manifest."""
