"""
Imported once by the fork server of the hub image (its recipe's preload list), before any program runs:
loads every surface, lays out every emulated library's modules and imports the factories, so that each
forked program starts with them in memory instead of paying for them (diffusers' surface alone is 2.8 MB of
JSON). Programs see no difference: the emulated libraries themselves are still imported by the program.
"""
from . import lazylib, libraries, behaviours, tf_objects, tf_pipelines  # noqa: F401

for _library in lazylib.LIBRARIES:
    lazylib.surface(_library)
    lazylib.layout(_library)
