"""The Qt desktop window (PySide6 + pyqtgraph). It observes the Qt-free engine in
``core`` and draws what a trace holds; nothing in ``core`` may import from here."""
