Attribute VB_Name = "RibbonCallbacks"
' Ribbon callbacks of the subsidy_xl add-in (workbook/customUI.xml).
' Each button first checks what VBA can see before Python starts: a workbook is
' open, the window is not in Protected View, the Python the add-in starts (its
' xlwings.conf sheet) exists with the add-in's xlwings version, subsidy_xl and the
' xlwings DLL. A problem is explained in Chinese (SubsidyText, generated with ChrW)
' and nothing runs. Then subsidy_xl.excel.launch.run runs the button's macro in
' Python through xlwings' RunPython. Every error is handled here, so Excel never
' shows its error dialog with the Debug button. Keep this file ASCII.
Option Explicit

Public Sub OnRefreshAll(control As IRibbonControl)
    RunSubsidy "refresh_all"
End Sub

Public Sub OnCheck(control As IRibbonControl)
    RunSubsidy "check"
End Sub

Public Sub OnFillPerformance(control As IRibbonControl)
    RunSubsidy "fill_performance"
End Sub

Public Sub OnBuildQuarterly(control As IRibbonControl)
    RunSubsidy "build_quarterly"
End Sub

Public Sub OnImportStreets(control As IRibbonControl)
    RunSubsidy "import_streets"
End Sub

Public Sub OnExportPackage(control As IRibbonControl)
    RunSubsidy "export_package"
End Sub

Public Sub OnShowHelp(control As IRibbonControl)
    RunSubsidy "show_help"
End Sub

Public Sub OnShowAbout(control As IRibbonControl)
    RunSubsidy "show_about"
End Sub

Private Sub RunSubsidy(macroName As String)
    Dim problem As String
    On Error GoTo failed
    problem = SubsidyPrecheck()
    If problem <> "" Then
        MsgBox problem, vbExclamation, SubsidyText("title")
        Exit Sub
    End If
    RunPython "import subsidy_xl.excel.launch as launch; launch.run('" & macroName & "', '" _
        & XLWINGS_VERSION & "', '" & PythonText(ThisWorkbook.FullName) & "')"
    Exit Sub
failed:
    MsgBox SubsidyText("run_failed") & Err.Description, vbCritical, SubsidyText("title")
End Sub

Private Function PythonText(value As String) As String
    ' The inside of a single-quoted Python string literal.
    PythonText = Replace(Replace(value, "\", "\\"), "'", "\'")
End Function

Private Function InProtectedView() As Boolean
    On Error Resume Next
    InProtectedView = Not (Application.ActiveProtectedViewWindow Is Nothing)
End Function

Private Function SubsidyPrecheck() As String
    ' "" when Python can be started; else the Chinese explanation of what is wrong.
    Dim interpreter As String, folder As String, root As String, dll As String, installed As String
    If InProtectedView() Then
        SubsidyPrecheck = SubsidyText("protected_view")
        Exit Function
    End If
    If ActiveWorkbook Is Nothing Then
        SubsidyPrecheck = SubsidyText("no_book")
        Exit Function
    End If
    interpreter = GetConfig("INTERPRETER_WIN", "")
    ' Not set by the add-in (a developer's install): xlwings finds the Python as it always does.
    If interpreter = "" Or interpreter = "python" Or interpreter = "pythonw" Then Exit Function
    If Not FileExists(interpreter) Then
        SubsidyPrecheck = SubsidyText("no_python") & interpreter
        Exit Function
    End If
    folder = ParentFolder(interpreter)
    root = ParentFolder(folder)
    installed = InstalledVersion(folder, root, "xlwings")
    If installed <> "" And installed <> XLWINGS_VERSION Then
        SubsidyPrecheck = Replace(Replace(SubsidyText("version_mismatch"), "{addin}", XLWINGS_VERSION), _
            "{python}", installed)
        Exit Function
    End If
    If InstalledVersion(folder, root, "subsidy_xl") = "" Then
        SubsidyPrecheck = SubsidyText("no_subsidy") & interpreter
        Exit Function
    End If
    #If Win64 Then
        dll = "xlwings64-" & XLWINGS_VERSION & ".dll"
    #Else
        dll = "xlwings32-" & XLWINGS_VERSION & ".dll"
    #End If
    ' Where xlwings' XLPyLoadDLL looks: beside the interpreter, then one folder up.
    If Not FileExists(folder & "\" & dll) And Not FileExists(root & "\" & dll) Then
        SubsidyPrecheck = SubsidyText("no_dll") & root & "\" & dll
    End If
End Function

Private Function InstalledVersion(folder As String, root As String, distribution As String) As String
    ' The version of site-packages\<distribution>-<version>.dist-info in a virtual environment
    ' (root\Lib) or a Python installation (folder\Lib); "" when there is none.
    Dim candidates As Variant, i As Integer, found As String
    On Error Resume Next
    candidates = Array(root & "\Lib\site-packages\", folder & "\Lib\site-packages\")
    For i = 0 To 1
        found = ""
        found = Dir(candidates(i) & distribution & "-*.dist-info", vbDirectory)
        If found <> "" Then
            InstalledVersion = Mid$(found, Len(distribution) + 2, Len(found) - Len(distribution) - 1 - Len(".dist-info"))
            Exit Function
        End If
    Next i
End Function
