"""What department staff, leads, supervisors and admins do.

Its commands, buttons and forms are listed in ``handlers.router``, its due work in
``handlers.due_work``.
"""
