"""Terminal, notebook and HTML reports."""
