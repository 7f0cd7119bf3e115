"""The demo network as plain data: organisations, offices, services, fictional counsellors.

Organisations and office addresses are the real ones (DESIGN.md §1); every counsellor is
fictional, with a made-up name and an example.org address.
"""

from datetime import date, time

ORGANISATIONS = [
    {
        "id": "vsp", "short_name": "VSP",
        "name": "VSP – Verbund für Soziale Projekte gGmbH",
        "region": "Westmecklenburg (Schwerin, Nordwestmecklenburg, Ludwigslust-Parchim)",
        "email": "iq-beratung@vsp.example.org",
    },
    {
        "id": "migra", "short_name": "migra",
        "name": "migra e.V.",
        "region": "Rostocker Region / Vorpommern-Rügen",
        "email": "iq-beratung@migra.example.org",
    },
    {
        "id": "genres", "short_name": "genres",
        "name": "genres e.V.",
        "region": "Mecklenburgische Seenplatte / Vorpommern-Greifswald",
        "email": "iq-beratung@genres.example.org",
    },
]

# Coordinates are approximate (street level is not needed for planning or maps).
OFFICES = [
    {"id": "schwerin", "organisation_id": "vsp", "name": "IQ Servicestelle Schwerin",
     "town": "Schwerin", "address": "Mecklenburgstraße 9", "postcode": "19053",
     "lat": 53.6265, "lon": 11.4128},
    {"id": "rostock", "organisation_id": "migra", "name": "IQ Servicestelle Rostock",
     "town": "Rostock", "address": "Waldemarstraße 32 (1. OG rechts)", "postcode": "18057",
     "lat": 54.0887, "lon": 12.1186},
    {"id": "neubrandenburg", "organisation_id": "genres",
     "name": "IQ Servicestelle Neubrandenburg", "town": "Neubrandenburg",
     "address": "Helmut-Just-Straße 4", "postcode": "17036", "lat": 53.5574, "lon": 13.2618},
    {"id": "greifswald", "organisation_id": "genres", "name": "IQ Servicestelle Greifswald",
     "town": "Greifswald", "address": "Fleischerstraße 20", "postcode": "17489",
     "lat": 54.0953, "lon": 13.3806},
]

SERVICES = [
    {
        "id": "first-consultation", "duration_minutes": 60, "buffer_minutes": 15,
        "interpreter_extra_minutes": 30, "offers_video": False, "sort_order": 1,
    },
    {
        "id": "qualification-counselling", "duration_minutes": 60, "buffer_minutes": 15,
        "interpreter_extra_minutes": 30, "offers_video": True, "sort_order": 2,
    },
    {
        "id": "follow-up", "duration_minutes": 30, "buffer_minutes": 10,
        "interpreter_extra_minutes": 15, "offers_video": True, "sort_order": 3,
    },
]

# Rules start on a fixed Monday so that seeding is deterministic and idempotent.
RULES_START = date(2026, 1, 5)
WORKDAYS = (0, 1, 2, 3, 4)


def _hours(location, weekdays, start, end, every_n_weeks=1):
    return [
        {"location_id": location, "weekday": d, "start_time": start, "end_time": end,
         "every_n_weeks": every_n_weeks}
        for d in weekdays
    ]


COUNSELLORS = [
    # Schwerin (VSP)
    {"email": "k.beispiel@vsp.example.org", "display_name": "Katrin Beispiel",
     "organisation_id": "vsp", "home": "schwerin", "languages": ["de", "en", "ru"],
     "hours": _hours("schwerin", (0, 1, 3), time(9), time(16))
     + _hours("schwerin", (2,), time(12), time(18))},
    {"email": "s.musterani@vsp.example.org", "display_name": "Samir Al-Musterani",
     "organisation_id": "vsp", "home": "schwerin", "languages": ["ar", "de", "en"],
     "hours": _hours("schwerin", (1, 2, 3, 4), time(8, 30), time(15))},
    {"email": "o.prykladna@vsp.example.org", "display_name": "Olha Prykladna",
     "organisation_id": "vsp", "home": "schwerin", "languages": ["de", "pl", "ru", "uk"],
     "hours": _hours("schwerin", (0, 2, 4), time(9), time(15, 30))},
    # Rostock (migra)
    {"email": "j.exempel@migra.example.org", "display_name": "Jonas Exempel",
     "organisation_id": "migra", "home": "rostock", "languages": ["de", "en", "pl", "ro"],
     "hours": _hours("rostock", WORKDAYS[:4], time(9), time(16))},
    {"email": "n.nemuneh@migra.example.org", "display_name": "Nasrin Nemuneh",
     "organisation_id": "migra", "home": "rostock", "languages": ["de", "en", "fa", "prs"],
     "hours": _hours("rostock", (0, 1, 2), time(10), time(17))
     + _hours("rostock", (4,), time(9), time(13), every_n_weeks=2)},
    {"email": "i.obrazcova@migra.example.org", "display_name": "Irina Obrazcova",
     "organisation_id": "migra", "home": "rostock", "languages": ["de", "ru", "uk"],
     "hours": _hours("rostock", (1, 3, 4), time(8), time(14, 30))},
    # Neubrandenburg and Greifswald (genres)
    {"email": "l.muster@genres.example.org", "display_name": "Lea Muster",
     "organisation_id": "genres", "home": "neubrandenburg", "languages": ["de", "en", "ro"],
     "hours": _hours("neubrandenburg", WORKDAYS, time(8, 30), time(15))},
    {"email": "m.ornekoglu@genres.example.org", "display_name": "Mehmet Örnekoğlu",
     "organisation_id": "genres", "home": "neubrandenburg", "languages": ["ar", "de", "tr"],
     "hours": _hours("neubrandenburg", (0, 1, 2, 3), time(9), time(17))},
    # Works in both genres offices: Neubrandenburg early in the week, Greifswald later.
    {"email": "h.probe@genres.example.org", "display_name": "Hannah Probe",
     "organisation_id": "genres", "home": "greifswald", "languages": ["ar", "de", "en", "uk"],
     "hours": _hours("neubrandenburg", (0,), time(9), time(12))
     + _hours("greifswald", (0,), time(14), time(17))
     + _hours("greifswald", (1, 2, 3), time(9), time(16))},
    {"email": "a.misali@genres.example.org", "display_name": "Ahmad Misali",
     "organisation_id": "genres", "home": "greifswald", "languages": ["de", "fa", "prs", "ps"],
     "hours": _hours("greifswald", (0, 1, 3, 4), time(8, 30), time(15, 30))},
]
