"""subsidy-xl: subsidies for retired community cadres, computed exactly.

One pure core (params, schema, rules, checks, tables) reached through three
doors: live Excel (xlwings), the headless CLI, and this library.
"""
__version__ = "0.1.0"
