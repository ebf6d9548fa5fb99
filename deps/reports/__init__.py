"""Confidential risk reports of stored runs: PDF (WeasyPrint), XLSX (xlsxwriter) and Markdown.

Every report carries its classification marking on every page or sheet, a deterministic report id and the run's
provenance; it can be encrypted (AES-256 PDF, password-protected XLSX) and each export is logged in the audit log
with the file's SHA-256.  Entry point: :func:`deps.reports.service.build_report`.
"""

from deps.reports.service import FORMATS, ReportResult, build_report

__all__ = ["FORMATS", "ReportResult", "build_report"]
