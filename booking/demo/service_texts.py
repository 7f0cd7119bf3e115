"""Service names, descriptions and what to bring, per language (content, not UI strings).

German is the source; a language missing here falls back to German on every page.
"""

# service id -> locale -> (name, description, what to bring)
SERVICE_TEXTS: dict[str, dict[str, tuple[str, str, str]]] = {
    "first-consultation": {
        "de": (
            'Erstberatung zur Anerkennung',
            'Wir klären gemeinsam, ob und wie Ihr ausländischer Abschluss in Deutschland anerkannt werden kann und welche Stelle zuständig ist.',
            'Zeugnisse und Abschlussurkunden (Kopien genügen), Fächer- und Notenübersicht, Nachweise über Berufserfahrung, Lebenslauf, falls vorhanden Übersetzungen.',
        ),
        "en": (
            'First consultation on recognition',
            'Together we find out whether and how your foreign qualification can be recognised in Germany and which authority is responsible.',
            'Certificates and diplomas (copies are fine), list of subjects and grades, proof of work experience, CV, translations if you have them.',
        ),
    },
    "qualification-counselling": {
        "de": (
            'Qualifizierungsberatung',
            'Nach dem Anerkennungsbescheid: welche Anpassungsqualifizierung, welcher Sprachkurs oder welche Prüfungsvorbereitung die Lücke schließt.',
            'Ihren Anerkennungsbescheid oder Defizitbescheid, Sprachzertifikate, Lebenslauf.',
        ),
        "en": (
            'Qualification counselling',
            'After the recognition decision: which bridging qualification, language course or exam preparation closes the gap.',
            'Your recognition decision or notice of deficits, language certificates, CV.',
        ),
    },
    "follow-up": {
        "de": (
            'Folgetermin',
            'Ein kurzer Termin, um den Stand Ihres Verfahrens zu besprechen oder Unterlagen durchzugehen.',
            'Die Unterlagen, um die es geht, und Post von Behörden.',
        ),
        "en": (
            'Follow-up appointment',
            'A short appointment to discuss where your application stands or to go through documents.',
            'The documents concerned and any letters from authorities.',
        ),
    },
}
