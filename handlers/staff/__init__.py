"""What department staff, leads, supervisors and admins do.

Each module here registers its commands, buttons, flows and due work with ``handlers.registry``
and ``handlers.due_work`` when imported; importing this package imports them all.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
