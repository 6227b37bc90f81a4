"""The model: agents, map, mechanisms, events, calendar, scenario, parameters and the model's config schema. Imports
nothing from the layers above."""
