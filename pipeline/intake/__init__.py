"""Intake: what collectors hand in → content/.

ingest (the run) → planner (one submission: convert, check, decide) → journal (commit and apply
a decision so a crash never loses a submission). convert turns Word, plain text, YAML and images
into what content/ holds. scaffold writes the `hongwang new` templates from content/schema.py.
"""
