"""The ground floor every subsystem stands on: dates and working days, the site URL, diagnostics,
safe YAML, personal-data detection, hashing, the build cache and the worker pool.

Nothing here knows about content kinds, pages or deploy targets; nothing here imports a subsystem.
"""
