"""Schedules: a template run on a cron expression (contract section 13).

``cron`` checks expressions and computes fire times (pure), ``service`` answers the
API, ``runner`` is the loop in API processes that fires due schedules, each exactly once.
"""
