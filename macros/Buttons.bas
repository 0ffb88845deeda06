Attribute VB_Name = "CrmButtons"
' crm-xl: the Control sheet's buttons. Each button runs one Python entry point in crm_xl.excel
' through xlwings' RunPython (the xlwings module is embedded in the workbook, no add-in needed).
' Keep this file ASCII: captions and messages in the workbook language come from Python.
Option Explicit

' Replaced by the package version (crm_xl.__version__) when crm-xl builds the workbook.
Public Const CRM_XL_VERSION As String = "@CRM_XL_VERSION@"
Private Const CONTROL_CODENAME As String = "shControl"

Public Sub CrmValidate()
    RunPython "import crm_xl.excel as x; x.validate()"
End Sub

Public Sub CrmRefresh()
    RunPython "import crm_xl.excel as x; x.refresh()"
End Sub

Public Sub CrmFollowups()
    RunPython "import crm_xl.excel as x; x.followups()"
End Sub

Public Sub CrmComplaintForm()
    RunPython "import crm_xl.excel as x; x.complaint_form()"
End Sub

Public Sub CrmTradeDocument()
    RunPython "import crm_xl.excel as x; x.trade_document()"
End Sub

' Shows that macros run: writes "macros run (VBA project <version>)" into C2 of the Control sheet
' (code name shControl), or of the first sheet when there is none. Pure VBA: it needs no Python,
' so any client can run it (Alt+F8 in Excel). Nothing calls it on open: opening writes no cell.
Public Sub CrmStampVersion()
    Dim target As Object
    Dim sheet As Object
    For Each sheet In ThisWorkbook.Worksheets
        If sheet.CodeName = CONTROL_CODENAME Then
            Set target = sheet
            Exit For
        End If
    Next sheet
    If target Is Nothing Then Set target = ThisWorkbook.Worksheets(1)
    target.Range("C2").Value = "macros run (VBA project " & CRM_XL_VERSION & ")"
End Sub
