"""The demo city: Hue's wards, agencies, categories, people and a year of cases (`manage.py seed_demo`)."""
