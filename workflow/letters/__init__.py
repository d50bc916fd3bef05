"""Letters (文书): one template per kind → a small letter structure → PDF and DOCX.

Public entry points live in :mod:`workflow.letters.render`: ``render_letter`` and ``build_letter``.
"""
