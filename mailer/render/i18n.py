"""Localized strings of the email templates and of the journalist-facing web pages."""

from __future__ import annotations

__all__ = ["PAGE_STRINGS", "STRINGS", "kind_label", "page_strings", "strings", "text_direction"]

# Keyed by BCP 47 tag: the primary language subtag, or a longer tag where the script differs
# from the primary subtag's default (sr is Cyrillic, sr-Latn Latin). Every entry has the same
# keys as "en" (a test checks it). French puts a no-break space before the colon.
STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "contact_heading": "For more information, please contact:",
        "embargo": "Embargoed until {when}",
        "embargo_subject": "EMBARGOED",
        "attachments": "Attachments",
        "unsubscribe": "Unsubscribe",
        "preferences": "Manage your preferences",
        "greeting": "Dear {name},",
        "greeting_anonymous": "Dear colleague,",
        "why_regions": (
            "You receive this because you are on the press list of {organisation} for {regions}."
        ),
        "why_list": "You receive this because you are on the press list of {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Press release",
        "kind_media_advisory": "Media advisory",
        "kind_statement": "Statement",
        "kind_news_note": "News note",
        "footnotes": "Notes",
        "links": "Links",
    },
    "fr": {
        "contact_heading": "Pour plus d’informations, veuillez contacter\u00a0:",
        "embargo": "Sous embargo jusqu’au {when}",
        "embargo_subject": "SOUS EMBARGO",
        "attachments": "Pièces jointes",
        "unsubscribe": "Se désabonner",
        "preferences": "Gérer vos préférences",
        "greeting": "Bonjour {name},",
        "greeting_anonymous": "Bonjour,",
        "why_regions": (
            "Vous recevez ce message car vous figurez sur la liste de presse de {organisation} "
            "pour {regions}."
        ),
        "why_list": (
            "Vous recevez ce message car vous figurez sur la liste de presse de {organisation}."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Communiqué de presse",
        "kind_media_advisory": "Avis aux médias",
        "kind_statement": "Déclaration",
        "kind_news_note": "Note d’information",
        "footnotes": "Notes",
        "links": "Liens",
    },
    "ru": {
        "contact_heading": "Для получения дополнительной информации обращайтесь:",
        "embargo": "Под эмбарго до {when}",
        "embargo_subject": "ЭМБАРГО",
        "attachments": "Вложения",
        "unsubscribe": "Отписаться",
        "preferences": "Настройки подписки",
        "greeting": "Здравствуйте, {name}!",
        "greeting_anonymous": "Здравствуйте!",
        "why_regions": (
            "Вы получаете это письмо, так как включены в список рассылки {organisation} "
            "для СМИ (регионы: {regions})."
        ),
        "why_list": (
            "Вы получаете это письмо, так как включены в список рассылки {organisation} для СМИ."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Пресс-релиз",
        "kind_media_advisory": "Анонс для СМИ",
        "kind_statement": "Заявление",
        "kind_news_note": "Информационное сообщение",
        "footnotes": "Примечания",
        "links": "Ссылки",
    },
    "ky": {
        "contact_heading": "Кошумча маалымат алуу үчүн кайрылыңыз:",
        "embargo": "Эмбарго: {when} чейин",
        "embargo_subject": "ЭМБАРГО",
        "attachments": "Тиркемелер",
        "unsubscribe": "Жазылуудан баш тартуу",
        "preferences": "Жазылуу жөндөөлөрү",
        "greeting": "Саламатсызбы, {name}!",
        "greeting_anonymous": "Саламатсызбы!",
        "why_regions": (
            "Сиз бул катты {organisation} уюмунун {regions} боюнча ЖМК тизмесинде "
            "болгонуңуз үчүн алып жатасыз."
        ),
        "why_list": (
            "Сиз бул катты {organisation} уюмунун ЖМК тизмесинде болгонуңуз үчүн алып жатасыз."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Пресс-релиз",
        "kind_media_advisory": "ЖМК үчүн анонс",
        "kind_statement": "Билдирүү",
        "kind_news_note": "Кыскача маалымат",
        "footnotes": "Эскертүүлөр",
        "links": "Шилтемелер",
    },
    "kk": {
        "contact_heading": "Қосымша ақпарат алу үшін хабарласыңыз:",
        "embargo": "Эмбарго: {when} дейін",
        "embargo_subject": "ЭМБАРГО",
        "attachments": "Тіркемелер",
        "unsubscribe": "Жазылымнан бас тарту",
        "preferences": "Жазылым баптаулары",
        "greeting": "Сәлеметсіз бе, {name}!",
        "greeting_anonymous": "Сәлеметсіз бе!",
        "why_regions": (
            "Сіз бұл хатты {organisation} ұйымының {regions} бойынша БАҚ тізіміне "
            "енгеніңіз үшін алып отырсыз."
        ),
        "why_list": (
            "Сіз бұл хатты {organisation} ұйымының БАҚ тізіміне енгеніңіз үшін алып отырсыз."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Пресс-релиз",
        "kind_media_advisory": "БАҚ-қа арналған анонс",
        "kind_statement": "Мәлімдеме",
        "kind_news_note": "Қысқаша ақпарат",
        "footnotes": "Ескертпелер",
        "links": "Сілтемелер",
    },
    # Uzbek in the Latin alphabet: o‘ and g‘ take U+2018, the tutuq belgisi U+2019.
    "uz": {
        "contact_heading": "Qo‘shimcha ma’lumot uchun murojaat qiling:",
        "embargo": "Embargo: {when} gacha",
        "embargo_subject": "EMBARGO",
        "attachments": "Ilovalar",
        "unsubscribe": "Obunani bekor qilish",
        "preferences": "Obuna sozlamalari",
        "greeting": "Hurmatli {name}!",
        "greeting_anonymous": "Hurmatli hamkasb!",
        "why_regions": (
            "Siz ushbu xatni {organisation} tashkilotining {regions} bo‘yicha OAV ro‘yxatida "
            "bo‘lganingiz uchun olyapsiz."
        ),
        "why_list": (
            "Siz ushbu xatni {organisation} tashkilotining OAV ro‘yxatida bo‘lganingiz uchun "
            "olyapsiz."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Press-reliz",
        "kind_media_advisory": "OAV uchun e’lon",
        "kind_statement": "Bayonot",
        "kind_news_note": "Qisqa xabar",
        "footnotes": "Izohlar",
        "links": "Havolalar",
    },
    "tg": {
        "contact_heading": "Барои маълумоти иловагӣ муроҷиат кунед:",
        "embargo": "Эмбарго то {when}",
        "embargo_subject": "ЭМБАРГО",
        "attachments": "Замимаҳо",
        "unsubscribe": "Бекор кардани обуна",
        "preferences": "Танзимоти обуна",
        "greeting": "Муҳтарам {name}!",
        "greeting_anonymous": "Ҳамкори муҳтарам!",
        "why_regions": (
            "Шумо ин номаро мегиред, зеро дар рӯйхати ВАО-и {organisation} оид ба {regions} ҳастед."
        ),
        "why_list": "Шумо ин номаро мегиред, зеро дар рӯйхати ВАО-и {organisation} ҳастед.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Пресс-релиз",
        "kind_media_advisory": "Эълон барои ВАО",
        "kind_statement": "Изҳорот",
        "kind_news_note": "Хабари кӯтоҳ",
        "footnotes": "Эзоҳҳо",
        "links": "Пайвандҳо",
    },
    "tk": {
        "contact_heading": "Goşmaça maglumat üçin habarlaşyň:",
        "embargo": "Embargo: {when} çenli",
        "embargo_subject": "EMBARGO",
        "attachments": "Goşundylar",
        "unsubscribe": "Abunalykdan çykmak",
        "preferences": "Abuna sazlamalary",
        "greeting": "Hormatly {name}!",
        "greeting_anonymous": "Hormatly kärdeş!",
        "why_regions": (
            "Siz bu haty {organisation} guramasynyň {regions} boýunça metbugat sanawynda "
            "bolanyňyz üçin alýarsyňyz."
        ),
        "why_list": (
            "Siz bu haty {organisation} guramasynyň metbugat sanawynda bolanyňyz üçin alýarsyňyz."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Metbugat beýanaty",
        "kind_media_advisory": "Metbugat üçin bildiriş",
        "kind_statement": "Beýannama",
        "kind_news_note": "Gysga habar",
        "footnotes": "Bellikler",
        "links": "Salgylanmalar",
    },
    "sq": {
        "contact_heading": "Për më shumë informacion, ju lutemi kontaktoni:",
        "embargo": "Nën embargo deri më {when}",
        "embargo_subject": "NËN EMBARGO",
        "attachments": "Bashkëngjitje",
        "unsubscribe": "Çregjistrohu",
        "preferences": "Menaxho preferencat",
        "greeting": "Përshëndetje {name},",
        "greeting_anonymous": "Përshëndetje,",
        "why_regions": (
            "E merrni këtë mesazh sepse jeni në listën e shtypit të {organisation} për {regions}."
        ),
        "why_list": "E merrni këtë mesazh sepse jeni në listën e shtypit të {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Komunikatë për shtyp",
        "kind_media_advisory": "Njoftim për mediet",
        "kind_statement": "Deklaratë",
        "kind_news_note": "Lajm i shkurtër",
        "footnotes": "Shënime",
        "links": "Lidhje",
    },
    "sr": {
        "contact_heading": "За више информација обратите се:",
        "embargo": "Под ембаргом до {when}",
        "embargo_subject": "ЕМБАРГО",
        "attachments": "Прилози",
        "unsubscribe": "Одјава",
        "preferences": "Подешавања претплате",
        "greeting": "Добар дан, {name},",
        "greeting_anonymous": "Добар дан,",
        "why_regions": (
            "Ову поруку примате јер сте на листи за медије организације {organisation} "
            "за {regions}."
        ),
        "why_list": "Ову поруку примате јер сте на листи за медије организације {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Саопштење за медије",
        "kind_media_advisory": "Најава за медије",
        "kind_statement": "Изјава",
        "kind_news_note": "Кратка вест",
        "footnotes": "Напомене",
        "links": "Линкови",
    },
    "sr-Latn": {
        "contact_heading": "Za više informacija obratite se:",
        "embargo": "Pod embargom do {when}",
        "embargo_subject": "EMBARGO",
        "attachments": "Prilozi",
        "unsubscribe": "Odjava",
        "preferences": "Podešavanja pretplate",
        "greeting": "Dobar dan, {name},",
        "greeting_anonymous": "Dobar dan,",
        "why_regions": (
            "Ovu poruku primate jer ste na listi za medije organizacije {organisation} "
            "za {regions}."
        ),
        "why_list": "Ovu poruku primate jer ste na listi za medije organizacije {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Saopštenje za medije",
        "kind_media_advisory": "Najava za medije",
        "kind_statement": "Izjava",
        "kind_news_note": "Kratka vest",
        "footnotes": "Napomene",
        "links": "Linkovi",
    },
    "mk": {
        "contact_heading": "За повеќе информации, контактирајте:",
        "embargo": "Под ембарго до {when}",
        "embargo_subject": "ЕМБАРГО",
        "attachments": "Прилози",
        "unsubscribe": "Откажи претплата",
        "preferences": "Поставки за претплатата",
        "greeting": "Добар ден, {name},",
        "greeting_anonymous": "Добар ден,",
        "why_regions": (
            "Ја добивате оваа порака затоа што сте на листата за медиуми на {organisation} "
            "за {regions}."
        ),
        "why_list": (
            "Ја добивате оваа порака затоа што сте на листата за медиуми на {organisation}."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Соопштение за медиумите",
        "kind_media_advisory": "Најава за медиумите",
        "kind_statement": "Изјава",
        "kind_news_note": "Кратка вест",
        "footnotes": "Белешки",
        "links": "Врски",
    },
    "bs": {
        "contact_heading": "Za više informacija obratite se:",
        "embargo": "Pod embargom do {when}",
        "embargo_subject": "EMBARGO",
        "attachments": "Prilozi",
        "unsubscribe": "Odjava",
        "preferences": "Postavke pretplate",
        "greeting": "Dobar dan, {name},",
        "greeting_anonymous": "Dobar dan,",
        "why_regions": (
            "Ovu poruku primate jer ste na listi za medije organizacije {organisation} "
            "za {regions}."
        ),
        "why_list": "Ovu poruku primate jer ste na listi za medije organizacije {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Saopćenje za medije",
        "kind_media_advisory": "Najava za medije",
        "kind_statement": "Izjava",
        "kind_news_note": "Kratka vijest",
        "footnotes": "Napomene",
        "links": "Linkovi",
    },
    "hr": {
        "contact_heading": "Za više informacija obratite se:",
        "embargo": "Pod embargom do {when}",
        "embargo_subject": "EMBARGO",
        "attachments": "Privitci",
        "unsubscribe": "Odjava",
        "preferences": "Postavke pretplate",
        "greeting": "Dobar dan, {name},",
        "greeting_anonymous": "Dobar dan,",
        "why_regions": (
            "Ovu poruku primate jer ste na popisu za medije organizacije {organisation} "
            "za {regions}."
        ),
        "why_list": "Ovu poruku primate jer ste na popisu za medije organizacije {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Priopćenje za medije",
        "kind_media_advisory": "Najava za medije",
        "kind_statement": "Izjava",
        "kind_news_note": "Kratka vijest",
        "footnotes": "Bilješke",
        "links": "Poveznice",
    },
    "uk": {
        "contact_heading": "Для отримання додаткової інформації звертайтеся:",
        "embargo": "Під ембарго до {when}",
        "embargo_subject": "ЕМБАРГО",
        "attachments": "Вкладення",
        "unsubscribe": "Відписатися",
        "preferences": "Налаштування підписки",
        "greeting": "Доброго дня, {name}!",
        "greeting_anonymous": "Доброго дня!",
        "why_regions": (
            "Ви отримуєте цей лист, оскільки включені до списку розсилки {organisation} "
            "для ЗМІ (регіони: {regions})."
        ),
        "why_list": (
            "Ви отримуєте цей лист, оскільки включені до списку розсилки {organisation} для ЗМІ."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Пресреліз",
        "kind_media_advisory": "Анонс для ЗМІ",
        "kind_statement": "Заява",
        "kind_news_note": "Інформаційне повідомлення",
        "footnotes": "Примітки",
        "links": "Посилання",
    },
    # Romanian with comma-below ș and ț (U+0219, U+021B), not the cedilla forms.
    "ro": {
        "contact_heading": "Pentru informații suplimentare, vă rugăm să contactați:",
        "embargo": "Sub embargo până la {when}",
        "embargo_subject": "SUB EMBARGO",
        "attachments": "Atașamente",
        "unsubscribe": "Dezabonare",
        "preferences": "Gestionați preferințele",
        "greeting": "Bună ziua, {name},",
        "greeting_anonymous": "Bună ziua,",
        "why_regions": (
            "Primiți acest mesaj deoarece vă aflați pe lista de presă a {organisation} "
            "pentru {regions}."
        ),
        "why_list": "Primiți acest mesaj deoarece vă aflați pe lista de presă a {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Comunicat de presă",
        "kind_media_advisory": "Anunț pentru presă",
        "kind_statement": "Declarație",
        "kind_news_note": "Notă informativă",
        "footnotes": "Note",
        "links": "Linkuri",
    },
    "de": {
        "contact_heading": "Für weitere Informationen wenden Sie sich bitte an:",
        "embargo": "Sperrfrist: {when}",
        "embargo_subject": "SPERRFRIST",
        "attachments": "Anhänge",
        "unsubscribe": "Abmelden",
        "preferences": "Einstellungen verwalten",
        "greeting": "Guten Tag {name},",
        "greeting_anonymous": "Sehr geehrte Damen und Herren,",
        "why_regions": (
            "Sie erhalten diese E-Mail, weil Sie im Presseverteiler von {organisation} "
            "für {regions} eingetragen sind."
        ),
        "why_list": (
            "Sie erhalten diese E-Mail, weil Sie im Presseverteiler von {organisation} "
            "eingetragen sind."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Pressemitteilung",
        "kind_media_advisory": "Medienhinweis",
        "kind_statement": "Stellungnahme",
        "kind_news_note": "Kurzmeldung",
        "footnotes": "Anmerkungen",
        "links": "Links",
    },
    # Spanish letters open with a colon after the salutation.
    "es": {
        "contact_heading": "Para más información, póngase en contacto con:",
        "embargo": "Bajo embargo hasta el {when}",
        "embargo_subject": "EMBARGO",
        "attachments": "Archivos adjuntos",
        "unsubscribe": "Darse de baja",
        "preferences": "Gestionar sus preferencias",
        "greeting": "Estimado/a {name}:",
        "greeting_anonymous": "Estimado/a colega:",
        "why_regions": (
            "Recibe este mensaje porque figura en la lista de prensa de {organisation} "
            "para {regions}."
        ),
        "why_list": "Recibe este mensaje porque figura en la lista de prensa de {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "Comunicado de prensa",
        "kind_media_advisory": "Aviso a los medios",
        "kind_statement": "Declaración",
        "kind_news_note": "Nota informativa",
        "footnotes": "Notas",
        "links": "Enlaces",
    },
    # Arabic has no capitals; the Arabic comma (U+060C) follows the salutation.
    "ar": {
        "contact_heading": "لمزيد من المعلومات، يُرجى التواصل مع:",
        "embargo": "يُحظر النشر قبل {when}",
        "embargo_subject": "محظور النشر",
        "attachments": "المرفقات",
        "unsubscribe": "إلغاء الاشتراك",
        "preferences": "إدارة تفضيلاتك",
        "greeting": "عزيزي/عزيزتي {name}،",
        "greeting_anonymous": "تحية طيبة،",
        "why_regions": (
            "تتلقى هذه الرسالة لأنك مُدرج في القائمة الصحفية لدى {organisation} "
            "(المناطق: {regions})."
        ),
        "why_list": "تتلقى هذه الرسالة لأنك مُدرج في القائمة الصحفية لدى {organisation}.",
        "test_prefix": "[TEST]",
        "kind_press_release": "بيان صحفي",
        "kind_media_advisory": "إشعار إعلامي",
        "kind_statement": "تصريح",
        "kind_news_note": "خبر موجز",
        "footnotes": "ملاحظات",
        "links": "روابط",
    },
    "tr": {
        "contact_heading": "Daha fazla bilgi için lütfen iletişime geçin:",
        "embargo": "Yayın ambargosu: {when} tarihine kadar",
        "embargo_subject": "AMBARGOLU",
        "attachments": "Ekler",
        "unsubscribe": "Abonelikten çık",
        "preferences": "Tercihlerinizi yönetin",
        "greeting": "Sayın {name},",
        "greeting_anonymous": "Değerli basın mensubu,",
        "why_regions": (
            "Bu e-postayı, {organisation} basın listesinde {regions} için kayıtlı "
            "olduğunuzdan alıyorsunuz."
        ),
        "why_list": (
            "Bu e-postayı, {organisation} basın listesinde kayıtlı olduğunuzdan alıyorsunuz."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Basın bülteni",
        "kind_media_advisory": "Basın duyurusu",
        "kind_statement": "Açıklama",
        "kind_news_note": "Kısa haber",
        "footnotes": "Notlar",
        "links": "Bağlantılar",
    },
    # Georgian has no letter case in running text; the subject prefix stays as it is.
    "ka": {
        "contact_heading": "დამატებითი ინფორმაციისთვის დაგვიკავშირდით:",
        "embargo": "ემბარგო {when}-მდე",
        "embargo_subject": "ემბარგო",
        "attachments": "დანართები",
        "unsubscribe": "გამოწერის გაუქმება",
        "preferences": "გამოწერის პარამეტრები",
        "greeting": "გამარჯობა, {name}!",
        "greeting_anonymous": "გამარჯობა!",
        "why_regions": (
            "ამ წერილს იღებთ, რადგან შეყვანილი ხართ {organisation}-ის მედიის სიაში ({regions})."
        ),
        "why_list": "ამ წერილს იღებთ, რადგან შეყვანილი ხართ {organisation}-ის მედიის სიაში.",
        "test_prefix": "[TEST]",
        "kind_press_release": "პრესრელიზი",
        "kind_media_advisory": "მედიაანონსი",
        "kind_statement": "განცხადება",
        "kind_news_note": "მოკლე ცნობა",
        "footnotes": "შენიშვნები",
        "links": "ბმულები",
    },
    # Armenian ends a sentence with the verjaket (U+0589) and introduces a list with the
    # but (U+055D); a Latin colon would read as a full stop.
    "hy": {
        "contact_heading": "Լրացուցիչ տեղեկությունների համար դիմել՝",
        "embargo": "Էմբարգո մինչև {when}",
        "embargo_subject": "ԷՄԲԱՐԳՈ",
        "attachments": "Կցված ֆայլեր",
        "unsubscribe": "Չեղարկել բաժանորդագրությունը",
        "preferences": "Բաժանորդագրության կարգավորումներ",
        "greeting": "Հարգելի {name},",
        "greeting_anonymous": "Հարգելի գործընկեր,",
        "why_regions": (
            "Դուք ստանում եք այս նամակը, քանի որ ընդգրկված եք {organisation}-ի "
            "լրատվամիջոցների ցուցակում ({regions})։"
        ),
        "why_list": (
            "Դուք ստանում եք այս նամակը, քանի որ ընդգրկված եք {organisation}-ի "
            "լրատվամիջոցների ցուցակում։"
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Մամուլի հաղորդագրություն",
        "kind_media_advisory": "Ծանուցում լրատվամիջոցների համար",
        "kind_statement": "Հայտարարություն",
        "kind_news_note": "Կարճ լուր",
        "footnotes": "Ծանոթագրություններ",
        "links": "Հղումներ",
    },
    "az": {
        "contact_heading": "Ətraflı məlumat üçün əlaqə saxlayın:",
        "embargo": "Embarqo: {when} tarixinədək",
        "embargo_subject": "EMBARQO",
        "attachments": "Qoşmalar",
        "unsubscribe": "Abunəlikdən çıxın",
        "preferences": "Abunə ayarlarını idarə edin",
        "greeting": "Hörmətli {name},",
        "greeting_anonymous": "Hörmətli həmkar,",
        "why_regions": (
            "Bu məktubu {organisation} təşkilatının {regions} üzrə mətbuat siyahısında "
            "olduğunuz üçün alırsınız."
        ),
        "why_list": (
            "Bu məktubu {organisation} təşkilatının mətbuat siyahısında olduğunuz üçün alırsınız."
        ),
        "test_prefix": "[TEST]",
        "kind_press_release": "Press-reliz",
        "kind_media_advisory": "KİV üçün anons",
        "kind_statement": "Bəyanat",
        "kind_news_note": "Qısa xəbər",
        "footnotes": "Qeydlər",
        "links": "Keçidlər",
    },
}

# The unsubscribe and preferences pages of `mailer serve`. A language may leave keys out: they
# fall back to English (a test checks that no entry has a key English lacks).
PAGE_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "page_title": "Your press release subscription",
        "intro": "You receive press releases from {organisation} at {email}.",
        "choose_heading": "Choose what you receive",
        "choose_intro": "Untick what you no longer want to receive, then save.",
        "regions_legend": "Regions",
        "beats_legend": "Topics",
        "languages_legend": "Languages",
        "languages_hint": "Keep at least one language.",
        "reason_label": "Anything you would like to tell us? (optional)",
        "reason_hint": "At most {limit} characters. Only the press office reads it.",
        "save": "Save my choices",
        "saved": "Your choices are saved.",
        "stop_heading": "Unsubscribe from everything",
        "stop_intro": "You will receive no more press releases from {organisation}.",
        "stop_button": "Unsubscribe from everything",
        "unsubscribed_heading": "You are unsubscribed",
        "unsubscribed_text": (
            "You will receive no more press releases from {organisation} at {email}."
        ),
        "invalid_heading": "This link cannot be used",
        "invalid_text": (
            "It may be incomplete, changed or too old. To unsubscribe, use the link in a more "
            "recent message from us, or reply to one of our messages."
        ),
        "need_language": "Keep at least one language, or unsubscribe from everything.",
    },
    "fr": {
        "page_title": "Votre abonnement aux communiqués de presse",
        "intro": "Vous recevez les communiqués de presse de {organisation} à l’adresse {email}.",
        "choose_heading": "Choisissez ce que vous recevez",
        "choose_intro": "Décochez ce que vous ne souhaitez plus recevoir, puis enregistrez.",
        "regions_legend": "Régions",
        "beats_legend": "Thèmes",
        "languages_legend": "Langues",
        "languages_hint": "Gardez au moins une langue.",
        "reason_label": "Souhaitez-vous nous dire pourquoi\u00a0? (facultatif)",
        "reason_hint": "{limit} caractères au maximum. Seul le service de presse le lit.",
        "save": "Enregistrer mes choix",
        "saved": "Vos choix sont enregistrés.",
        "stop_heading": "Se désabonner de tout",
        "stop_intro": "Vous ne recevrez plus aucun communiqué de presse de {organisation}.",
        "stop_button": "Me désabonner de tout",
        "unsubscribed_heading": "Votre désabonnement est confirmé",
        "unsubscribed_text": (
            "Vous ne recevrez plus aucun communiqué de presse de {organisation} "
            "à l’adresse {email}."
        ),
        "invalid_heading": "Ce lien ne peut pas être utilisé",
        "invalid_text": (
            "Il est peut-être incomplet, modifié ou trop ancien. Pour vous désabonner, utilisez "
            "le lien d’un message plus récent ou répondez à l’un de nos messages."
        ),
        "need_language": "Gardez au moins une langue, ou désabonnez-vous de tout.",
    },
    "ru": {
        "page_title": "Ваша подписка на пресс-релизы",
        "intro": "Вы получаете пресс-релизы от {organisation} на адрес {email}.",
        "choose_heading": "Выберите, что вы хотите получать",
        "choose_intro": "Снимите отметки с того, что больше не хотите получать, и сохраните.",
        "regions_legend": "Регионы",
        "beats_legend": "Темы",
        "languages_legend": "Языки",
        "languages_hint": "Оставьте хотя бы один язык.",
        "reason_label": "Хотите сообщить нам причину? (необязательно)",
        "reason_hint": "Не более {limit} символов. Это прочитает только пресс-служба.",
        "save": "Сохранить выбор",
        "saved": "Ваш выбор сохранён.",
        "stop_heading": "Отписаться от всего",
        "stop_intro": "Вы больше не будете получать пресс-релизы от {organisation}.",
        "stop_button": "Отписаться от всего",
        "unsubscribed_heading": "Подписка отменена",
        "unsubscribed_text": (
            "Вы больше не будете получать пресс-релизы от {organisation} на адрес {email}."
        ),
        "invalid_heading": "Эту ссылку нельзя использовать",
        "invalid_text": (
            "Возможно, она неполная, изменена или устарела. Чтобы отписаться, воспользуйтесь "
            "ссылкой из более нового письма или ответьте на одно из наших писем."
        ),
        "need_language": "Оставьте хотя бы один язык или отпишитесь от всего.",
    },
    "es": {
        "page_title": "Su suscripción a los comunicados de prensa",
        "intro": "Recibe los comunicados de prensa de {organisation} en {email}.",
        "choose_heading": "Elija lo que recibe",
        "choose_intro": "Desmarque lo que ya no desea recibir y guarde los cambios.",
        "regions_legend": "Regiones",
        "beats_legend": "Temas",
        "languages_legend": "Idiomas",
        "languages_hint": "Mantenga al menos un idioma.",
        "reason_label": "¿Quiere decirnos por qué? (opcional)",
        "reason_hint": "Como máximo {limit} caracteres. Solo lo lee la oficina de prensa.",
        "save": "Guardar mis preferencias",
        "saved": "Sus preferencias se han guardado.",
        "stop_heading": "Darse de baja de todo",
        "stop_intro": "No recibirá más comunicados de prensa de {organisation}.",
        "stop_button": "Darme de baja de todo",
        "unsubscribed_heading": "Se ha dado de baja",
        "unsubscribed_text": "No recibirá más comunicados de prensa de {organisation} en {email}.",
        "invalid_heading": "Este enlace no se puede utilizar",
        "invalid_text": (
            "Puede que esté incompleto, modificado o caducado. Para darse de baja, use el enlace "
            "de un mensaje más reciente o responda a uno de nuestros mensajes."
        ),
        "need_language": "Mantenga al menos un idioma o dese de baja de todo.",
    },
}

_BY_TAG = {tag.lower(): values for tag, values in STRINGS.items()}
_PAGES_BY_TAG = {tag.lower(): values for tag, values in PAGE_STRINGS.items()}
_RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm"})


def _subtags(language: str) -> list[str]:
    return [s for s in language.strip().replace("_", "-").lower().split("-") if s]


def _lookup(table: dict[str, dict[str, str]], language: str) -> dict[str, str] | None:
    subtags = _subtags(language)
    # RFC 4647 section 3.4 lookup: drop subtags from the end until a tag matches.
    for end in range(len(subtags), 0, -1):
        found = table.get("-".join(subtags[:end]))
        if found is not None:
            return found
    return None


def strings(language: str) -> dict[str, str]:
    """The strings for a language tag: the longest matching prefix of the tag, else English."""
    return dict(_lookup(_BY_TAG, language) or STRINGS["en"])


def page_strings(language: str) -> dict[str, str]:
    """The web pages' strings for a language tag; each one it lacks in English."""
    return {**PAGE_STRINGS["en"], **(_lookup(_PAGES_BY_TAG, language) or {})}


def text_direction(language: str) -> str:
    """The text direction: "rtl" for a language or script written right to left, else "ltr"."""
    subtags = _subtags(language)
    if not subtags:
        return "ltr"
    scripts = [s for s in subtags[1:] if len(s) == 4 and s.isalpha()]
    if scripts:
        return "rtl" if scripts[0] in _RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in _RTL_LANGUAGES else "ltr"


def kind_label(kind: str, language: str) -> str:
    """The localized label of a release kind ("press release"); unknown kinds title-cased."""
    key = "kind_" + "_".join(kind.strip().lower().split())
    return strings(language).get(key) or kind.title()
