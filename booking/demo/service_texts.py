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
        "uk": (
            'Перша консультація щодо визнання',
            "Разом ми з'ясуємо, чи можна визнати Ваш іноземний диплом у Німеччині, як це зробити і яка установа за це відповідає.",
            'Атестати та дипломи (достатньо копій), перелік предметів і оцінок, підтвердження досвіду роботи, резюме, переклади, якщо вони є.',
        ),
        "ru": (
            'Первичная консультация по признанию',
            'Вместе мы выясним, можно ли признать Ваш иностранный диплом в Германии, как это сделать и какое ведомство за это отвечает.',
            'Аттестаты и дипломы (достаточно копий), список предметов с оценками, подтверждение опыта работы, резюме, переводы, если они есть.',
        ),
        "ar": (
            'الاستشارة الأولى حول الاعتراف بالمؤهلات',
            'نبحث معًا إن كان يمكن الاعتراف بشهادتكم الأجنبية في ألمانيا، وكيف يتم ذلك، وما الجهة المسؤولة.',
            'الشهادات والدبلومات (تكفي النسخ)، كشف بالمواد والعلامات، إثباتات الخبرة المهنية، السيرة الذاتية، والترجمات إن وُجدت.',
        ),
        "fa": (
            'مشاوره اول درباره به رسمیت شناختن مدرک',
            'با هم بررسی می\u200cکنیم که آیا مدرک خارجی شما در آلمان به رسمیت شناخته می\u200cشود، چگونه، و کدام اداره مسئول است.',
            'مدارک و گواهی\u200cنامه\u200cهای تحصیلی (کپی کافی است)، فهرست دروس و نمرات، مدارک سابقه کار، رزومه، و ترجمه\u200cها اگر دارید.',
        ),
        "tr": (
            'Denklik konusunda ilk danışmanlık',
            "Yurt dışında aldığınız diplomanın Almanya'da tanınıp tanınamayacağını, nasıl tanınacağını ve hangi kurumun yetkili olduğunu birlikte öğreniyoruz.",
            'Diplomalar ve belgeler (fotokopi yeterlidir), ders ve not dökümü, iş deneyimi belgeleri, özgeçmiş, varsa tercümeler.',
        ),
        "pl": (
            'Pierwsza konsultacja w sprawie uznania kwalifikacji',
            'Wspólnie sprawdzimy, czy i jak można uznać w Niemczech Państwa zagraniczne wykształcenie oraz który urząd się tym zajmuje.',
            'Świadectwa i dyplomy (wystarczą kopie), wykaz przedmiotów i ocen, zaświadczenia o doświadczeniu zawodowym, CV, tłumaczenia, jeśli są.',
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
        "uk": (
            'Консультація щодо навчання після визнання',
            'Після рішення про визнання: який курс адаптації, мовний курс чи підготовка до іспиту допоможуть усунути відмінності.',
            'Ваше рішення про визнання (Anerkennungsbescheid) або рішення про відмінності (Defizitbescheid), мовні сертифікати, резюме.',
        ),
        "ru": (
            'Консультация по обучению после признания',
            'После решения о признании: какой адаптационный курс, языковой курс или подготовка к экзамену помогут восполнить недостающее.',
            'Ваше решение о признании (Anerkennungsbescheid) или решение о выявленных различиях (Defizitbescheid), языковые сертификаты, резюме.',
        ),
        "ar": (
            'استشارة حول التأهيل بعد الاعتراف',
            'بعد قرار الاعتراف: أي تأهيل تكميلي أو دورة لغة أو تحضير للامتحان يسدّ النقص.',
            'قرار الاعتراف (Anerkennungsbescheid) أو قرار الفروقات (Defizitbescheid)، شهادات اللغة، السيرة الذاتية.',
        ),
        "fa": (
            'مشاوره آموزشی پس از به رسمیت شناختن',
            'پس از تصمیم درباره به رسمیت شناختن: کدام دوره تکمیلی، کلاس زبان یا آمادگی برای امتحان کمبودها را جبران می\u200cکند.',
            'تصمیم\u200cنامه به رسمیت شناختن (Anerkennungsbescheid) یا تصمیم\u200cنامه کمبودها (Defizitbescheid)، مدارک زبان، رزومه.',
        ),
        "tr": (
            'Denklik sonrası eğitim danışmanlığı',
            'Denklik kararından sonra: eksikleri hangi uyum eğitimi, dil kursu veya sınav hazırlığı ile kapatabileceğiniz.',
            'Denklik kararınız (Anerkennungsbescheid) veya eksiklik kararınız (Defizitbescheid), dil sertifikaları, özgeçmiş.',
        ),
        "pl": (
            'Doradztwo w sprawie kształcenia uzupełniającego',
            'Po decyzji o uznaniu: jaki kurs uzupełniający, kurs językowy lub przygotowanie do egzaminu pozwoli wyrównać braki.',
            'Decyzja o uznaniu (Anerkennungsbescheid) lub decyzja o brakach (Defizitbescheid), certyfikaty językowe, CV.',
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
        "uk": (
            'Повторна консультація',
            'Коротка зустріч, щоб обговорити стан Вашої справи або переглянути документи.',
            'Документи, про які йдеться, та листи від установ.',
        ),
        "ru": (
            'Повторная консультация',
            'Короткая встреча, чтобы обсудить, как продвигается Ваше дело, или просмотреть документы.',
            'Документы, о которых пойдёт речь, и письма от ведомств.',
        ),
        "ar": (
            'موعد متابعة',
            'موعد قصير لمناقشة وضع طلبكم أو لمراجعة المستندات.',
            'المستندات المعنية والرسائل التي وصلتكم من الدوائر الرسمية.',
        ),
        "fa": (
            'جلسه پیگیری',
            'یک جلسه کوتاه برای صحبت درباره وضعیت پرونده شما یا بررسی مدارک.',
            'مدارک مربوط و نامه\u200cهایی که از ادارات دریافت کرده\u200cاید.',
        ),
        "tr": (
            'Takip randevusu',
            'Başvurunuzun durumunu konuşmak veya belgelere birlikte bakmak için kısa bir randevu.',
            'İlgili belgeler ve resmi kurumlardan gelen mektuplar.',
        ),
        "pl": (
            'Kolejna wizyta',
            'Krótka wizyta, aby omówić stan Państwa sprawy lub przejrzeć dokumenty.',
            'Dokumenty, których dotyczy sprawa, oraz pisma z urzędów.',
        ),
    },
}
