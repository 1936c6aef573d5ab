"""Documents: files uploaded to a task (材料, 附件, 验收报告), stored with their hash, size and
detected type, checked when a form's ``file`` field names one (docs/documents.md)."""
