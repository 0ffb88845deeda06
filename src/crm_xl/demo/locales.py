"""Country flavour for the demo register: company names, people, addresses and mobile numbers.

Every country the demo exporter sells to has one `Locale`. Names are written the way a Chinese
export sales team records them (Latin script for foreign customers, Chinese for domestic ones).
People's names are `(display, ascii)` pairs so that e-mail addresses can be derived without a
transliteration library. Mobile numbers are a prefix of the national significant number plus
random digits; `mobile` lists `(prefix, free_digits)` pairs that give numbers `phonenumbers`
accepts as valid (the demo tests check every generated number).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                       "ł": "l", "Ł": "L", "ø": "o", "æ": "ae", "ı": "i", "ş": "s", "ğ": "g"})


def ascii_fold(text: str) -> str:
    """Latin text without diacritics (`Müller` → `Mueller`, `Świat` → `Swiat`)."""
    text = text.translate(_FOLD)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _people(text: str) -> tuple[tuple[str, str], ...]:
    """Parse `Jürgen Anna ...` into (display, ascii) pairs; `display=ascii` pairs for CJK."""
    out = []
    for item in text.split():
        if "=" in item:
            display, ascii_ = item.split("=")
        else:
            display, ascii_ = item.replace("_", " "), ascii_fold(item.replace("_", " "))
        out.append((display, ascii_.lower().replace(" ", "").replace("-", "").replace("'", "")))
    return tuple(out)


@dataclass(frozen=True)
class Locale:
    """How customers, contacts and phone numbers of one country look."""

    code: str                      # ISO 3166 alpha-2
    weight: float                  # share of the customer base
    team: int                      # 0 = Europe & Americas desk, 1 = Asia, Middle East & Africa desk
    region: str                    # region label used in opportunities and reports
    tld: str                       # e-mail / web domain ending
    name_format: str               # "{stem} {word}" or "{word} {stem}"
    stems: tuple[str, ...]
    words: tuple[str, ...]
    suffixes: tuple[tuple[str, float], ...]
    first_names: tuple[tuple[str, str], ...]
    last_names: tuple[tuple[str, str], ...]
    cities: tuple[tuple[str, str], ...]   # (city, postcode / state+zip)
    streets: tuple[str, ...]
    address_format: str            # fields: street, no, city, postcode
    mobile: tuple[tuple[str, int], ...]
    dial: str                      # country calling code
    languages: tuple[tuple[str, float], ...]
    currencies: tuple[tuple[str, float], ...]
    titles: tuple[str, ...] = ("Purchasing Manager", "Procurement Director", "CEO", "Managing Director",
                               "Technical Manager", "Sourcing Specialist", "Import Manager", "Owner",
                               "Product Manager", "Logistics Coordinator")
    whatsapp_share: float = 0.8


_EN_FIRST = "James Michael Robert David John Sarah Jennifer Emily Jessica Daniel Mark Laura Kevin Brian Rachel Amanda Steven Karen"
_EN_LAST = "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Clark Lewis Walker Hall Young"

LOCALES: dict[str, Locale] = {loc.code: loc for loc in (
    Locale("US", 26, 0, "北美", "com", "{stem} {word}",
           tuple("Summit Liberty Eagle Keystone Pioneer Lone_Star Gulf_Coast Pacific Atlas Evergreen Granite Heartland Bright_Path Patriot Redwood Frontier Harbor Mesa Sterling Blue_Ridge".replace("_", " ").split()),
           ("Lighting", "Lighting Supply", "Electric Supply", "Electrical Distributors", "Energy Solutions", "LED Solutions", "Illumination", "Wholesale Lighting"),
           (("LLC", 0.5), ("Inc.", 0.4), ("Corp.", 0.1)),
           _people(_EN_FIRST), _people(_EN_LAST),
           (("Houston", "TX 77002"), ("Chicago", "IL 60607"), ("Los Angeles", "CA 90021"), ("Miami", "FL 33166"),
            ("Atlanta", "GA 30318"), ("Dallas", "TX 75207"), ("Phoenix", "AZ 85043"), ("Newark", "NJ 07105"),
            ("Seattle", "WA 98108"), ("Denver", "CO 80216")),
           ("Commerce Street", "Industrial Parkway", "Main Street", "Warehouse Drive", "Airport Boulevard", "Distribution Way"),
           "{no} {street}, {city}, {postcode}",
           (("212[2-9]", 6), ("312[2-9]", 6), ("713[2-9]", 6), ("305[2-9]", 6), ("404[2-9]", 6), ("214[2-9]", 6), ("602[2-9]", 6), ("206[2-9]", 6)),
           "1", (("en", 1.0),), (("USD", 1.0),), whatsapp_share=0.35),
    Locale("CA", 7, 0, "北美", "ca", "{stem} {word}",
           ("Maple", "Northern", "Great Lakes", "Laurentian", "Prairie", "Cascade", "True North", "Fraser", "Aurora", "Boreal", "Rideau", "Polaris"),
           ("Lighting", "Electrical Supply", "Energy Solutions", "LED Distribution", "Illumination"),
           (("Inc.", 0.6), ("Ltd.", 0.3), ("Corp.", 0.1)),
           _people(_EN_FIRST + " Marc Sophie Luc Isabelle"), _people(_EN_LAST + " Tremblay Gagnon Roy Leblanc"),
           (("Toronto", "ON M5V 2T6"), ("Vancouver", "BC V6B 1A1"), ("Montréal", "QC H3B 2Y5"), ("Calgary", "AB T2P 1J9"), ("Ottawa", "ON K1P 5G4")),
           ("King Street West", "Industrial Road", "Rue Sainte-Catherine", "Commerce Court", "Logistics Drive"),
           "{no} {street}, {city}, {postcode}",
           (("416[2-9]", 6), ("604[2-9]", 6), ("514[2-9]", 6), ("403[2-9]", 6), ("613[2-9]", 6)),
           "1", (("en", 0.8), ("fr", 0.2)), (("USD", 1.0),), whatsapp_share=0.4),
    Locale("MX", 8, 0, "拉美", "com.mx", "{word} {stem}",
           ("del Norte", "Azteca", "del Bajío", "Monterrey", "Sol", "Pacífico", "Maya", "Central", "Querétaro", "Jalisco", "Sierra", "Golfo"),
           ("Iluminación", "Suministros Eléctricos", "Distribuidora Eléctrica", "Luminarias", "Energía Solar"),
           (("S.A. de C.V.", 0.8), ("S. de R.L. de C.V.", 0.2)),
           _people("José Juan Luis Carlos Jorge Miguel María Guadalupe Ana Laura Fernando Alejandro Patricia Ricardo Verónica"),
           _people("Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Flores Torres Morales"),
           (("Ciudad de México", "06600"), ("Monterrey", "64000"), ("Guadalajara", "44100"), ("Querétaro", "76000"), ("Puebla", "72000"), ("Tijuana", "22000")),
           ("Av. Industrial", "Calle Hidalgo", "Blvd. Aeropuerto", "Av. Insurgentes Sur", "Calle Morelos"),
           "{street} {no}, {postcode} {city}",
           (("55", 8), ("33", 8), ("81", 8), ("222", 7)),
           "52", (("es", 0.7), ("en", 0.3)), (("USD", 1.0),)),
    Locale("BR", 8, 0, "拉美", "com.br", "{stem} {word}",
           ("Luz do Sul", "Paulista", "Atlântico", "Ipiranga", "Nordeste", "Cerrado", "Amazonas", "Minas", "Guanabara", "Tropical", "Serra", "Horizonte"),
           ("Iluminação", "Materiais Elétricos", "Distribuidora", "Energia Solar", "Comércio de Iluminação"),
           (("Ltda.", 0.8), ("S.A.", 0.1), ("EIRELI", 0.1)),
           _people("João Pedro Lucas Gabriel Rafael Carlos Ana Juliana Mariana Fernanda Beatriz Camila Paulo Ricardo"),
           _people("Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro"),
           (("São Paulo", "01310-100"), ("Rio de Janeiro", "20040-002"), ("Curitiba", "80010-000"), ("Belo Horizonte", "30130-010"), ("Recife", "50030-230"), ("Porto Alegre", "90010-150")),
           ("Rua Augusta", "Av. Paulista", "Rua da Indústria", "Av. Brasil", "Rodovia dos Bandeirantes"),
           "{street}, {no}, {city}, CEP {postcode}",
           (("119", 8), ("219", 8), ("319", 8), ("419", 8), ("519", 8)),
           "55", (("pt", 0.7), ("en", 0.3)), (("USD", 1.0),)),
    Locale("GB", 14, 0, "欧洲", "co.uk", "{stem} {word}",
           ("Thames", "Britannia", "Pennine", "Westfield", "Kingsway", "Albion", "Highgate", "Mersey", "Clyde", "Severn", "Oakwood", "Castlegate", "Regent", "Avon"),
           ("Lighting", "Electrical Wholesale", "Electrical Supplies", "LED Distribution", "Illumination", "Energy Services"),
           (("Ltd.", 0.8), ("PLC", 0.05), ("Limited", 0.15)),
           _people("Oliver George Harry Jack Charlotte Amelia Sophie Emma James William Thomas Lucy Hannah Daniel"),
           _people("Smith Jones Taylor Brown Williams Wilson Evans Thomas Roberts Johnson Walker Wright Robinson Thompson"),
           (("London", "E14 5AB"), ("Manchester", "M1 2WD"), ("Birmingham", "B7 4BB"), ("Leeds", "LS11 5QR"), ("Bristol", "BS2 0XT"), ("Glasgow", "G2 8JD")),
           ("Commercial Road", "Trafford Park Road", "Station Road", "High Street", "Riverside Way", "Mill Lane"),
           "{no} {street}, {city} {postcode}",
           (("74[012346789]", 7), ("75[13456789]", 7), ("77[1-7]", 7), ("78[01456789]", 7), ("79[02456789]", 7)),
           "44", (("en", 1.0),), (("GBP", 0.4), ("USD", 0.45), ("EUR", 0.15)), whatsapp_share=0.7),
    Locale("DE", 18, 0, "欧洲", "de", "{stem} {word}",
           ("Müller", "Schneider", "Becker", "Hoffmann", "Wagner", "Krüger", "Brandt", "Vogel", "Nordlicht", "Helios", "Elbe", "Rhein", "Lichtwerk", "Sonnenschein", "Bauer", "Richter"),
           ("Lichttechnik", "Elektro", "Leuchten", "Elektrogroßhandel", "Beleuchtung", "Energietechnik", "Solartechnik"),
           (("GmbH", 0.65), ("GmbH & Co. KG", 0.2), ("AG", 0.05), ("KG", 0.1)),
           _people("Jürgen Anna Thomas Stefan Andreas Sabine Michael Claudia Markus Julia Tobias Katrin Frank Petra Lukas"),
           _people("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Wolf Schröder"),
           (("Hamburg", "20457"), ("München", "80331"), ("Köln", "50667"), ("Frankfurt am Main", "60311"), ("Stuttgart", "70173"), ("Düsseldorf", "40213"), ("Berlin", "10115")),
           ("Hafenstraße", "Industriestraße", "Hauptstraße", "Gewerbering", "Lindenallee", "Am Güterbahnhof"),
           "{street} {no}, {postcode} {city}",
           (("151", 8), ("152", 8), ("157", 8), ("160", 7), ("170", 7), ("171", 7), ("175", 7)),
           "49", (("de", 0.6), ("en", 0.4)), (("EUR", 0.75), ("USD", 0.25)), whatsapp_share=0.75),
    Locale("FR", 10, 0, "欧洲", "fr", "{word} {stem}",
           ("Lumière", "Provence", "Atlantique", "Rhône", "Loire", "Méditerranée", "Bretagne", "Alsace", "Normandie", "Aquitaine", "Étoile", "Horizon"),
           ("Éclairage", "Distribution Électrique", "Luminaires", "Électricité", "Solaire", "Matériel Électrique"),
           (("SAS", 0.55), ("SARL", 0.35), ("S.A.", 0.1)),
           _people("Jean Pierre Nicolas Julien Thomas Camille Marie Sophie Nathalie Isabelle Antoine Claire Mathieu Élodie"),
           _people("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel"),
           (("Paris", "75012"), ("Lyon", "69007"), ("Marseille", "13002"), ("Lille", "59000"), ("Bordeaux", "33000"), ("Toulouse", "31000")),
           ("rue de la République", "avenue Jean Jaurès", "rue de l'Industrie", "boulevard Voltaire", "zone d'activités des Portes"),
           "{no} {street}, {postcode} {city}",
           (("6[01245678]", 7), ("7[3-9]", 7)),
           "33", (("fr", 0.65), ("en", 0.35)), (("EUR", 0.8), ("USD", 0.2))),
    Locale("IT", 10, 0, "欧洲", "it", "{stem} {word}",
           ("Rossi", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Luce Nord", "Adriatica", "Tirrenia", "Lombarda", "Galli", "Conti", "Marino", "Veneta"),
           ("Illuminazione", "Elettroforniture", "Materiale Elettrico", "Luce", "Energia Solare", "Distribuzione"),
           (("S.r.l.", 0.75), ("S.p.A.", 0.15), ("S.n.c.", 0.1)),
           _people("Marco Giuseppe Luca Andrea Francesco Alessandro Giulia Francesca Chiara Sara Paolo Roberta Matteo Elena"),
           _people("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti"),
           (("Milano", "20121"), ("Torino", "10121"), ("Bologna", "40121"), ("Napoli", "80133"), ("Verona", "37121"), ("Padova", "35121")),
           ("Via Roma", "Via dell'Industria", "Viale Europa", "Via Garibaldi", "Corso Venezia"),
           "{street} {no}, {postcode} {city}",
           (("31", 8), ("32", 8), ("33", 8), ("34", 8), ("38", 8), ("39", 8)),
           "39", (("it", 0.6), ("en", 0.4)), (("EUR", 0.8), ("USD", 0.2))),
    Locale("ES", 9, 0, "欧洲", "es", "{word} {stem}",
           ("García", "Ibérica", "Levante", "del Sur", "Cantábrica", "Mediterráneo", "Castilla", "Andaluza", "Navarro", "Sol", "Montes", "Vidal"),
           ("Iluminaciones", "Suministros Eléctricos", "Material Eléctrico", "Luminotecnia", "Energía Solar"),
           (("S.L.", 0.75), ("S.A.", 0.25)),
           _people("Antonio Manuel José Francisco David Javier Carmen María Laura Lucía Elena Pablo Marta Sergio"),
           _people("García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz"),
           (("Madrid", "28045"), ("Barcelona", "08038"), ("Valencia", "46024"), ("Sevilla", "41001"), ("Bilbao", "48001"), ("Zaragoza", "50001")),
           ("Calle Mayor", "Polígono Industrial Norte", "Avenida de la Constitución", "Calle Alcalá", "Carrer de Balmes"),
           "{street} {no}, {postcode} {city}",
           (("6", 8), ("71", 7)),
           "34", (("es", 0.65), ("en", 0.35)), (("EUR", 0.8), ("USD", 0.2))),
    Locale("NL", 8, 0, "欧洲", "nl", "{stem} {word}",
           ("Van Dijk", "De Vries", "Jansen", "Bakker", "Visser", "Holland", "Oranje", "Delta", "Zeeland", "Maas", "Amstel", "Smit"),
           ("Verlichting", "Elektrotechniek", "Groothandel", "Lichtsystemen", "Energie"),
           (("B.V.", 0.9), ("N.V.", 0.1)),
           _people("Jan Pieter Bram Daan Sem Lars Sanne Anouk Femke Lotte Eva Ruben Thijs Mark"),
           _people("de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Visser Smit Meijer de_Boer Mulder Bos"),
           (("Rotterdam", "3011 AA"), ("Amsterdam", "1012 AB"), ("Eindhoven", "5611 AA"), ("Utrecht", "3511 AA"), ("Venlo", "5911 AA")),
           ("Industrieweg", "Havenstraat", "Kerkstraat", "Stationsweg", "Nijverheidsweg"),
           "{street} {no}, {postcode} {city}",
           (("61", 7), ("62", 7), ("64", 7), ("65", 7)),
           "31", (("nl", 0.4), ("en", 0.6)), (("EUR", 0.8), ("USD", 0.2))),
    Locale("PL", 8, 0, "欧洲", "pl", "{word} {stem}",
           ("Oświetlenia", "Nowak", "Wisła", "Mazowsze", "Bałtyk", "Polska", "Kraków", "Śląsk", "Pomorze", "Warta", "Tatry", "Kowalski"),
           ("Świat", "Hurtownia Elektryczna", "Elektro", "Technika Świetlna", "Energia"),
           (("Sp. z o.o.", 0.85), ("S.A.", 0.15)),
           _people("Piotr Krzysztof Andrzej Tomasz Paweł Michał Anna Katarzyna Magdalena Agnieszka Joanna Marcin Łukasz"),
           _people("Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski"),
           (("Warszawa", "00-001"), ("Kraków", "30-001"), ("Poznań", "60-001"), ("Wrocław", "50-001"), ("Gdańsk", "80-001"), ("Łódź", "90-001")),
           ("ul. Przemysłowa", "ul. Marszałkowska", "ul. Składowa", "al. Jerozolimskie", "ul. Fabryczna"),
           "{street} {no}, {postcode} {city}",
           (("50", 7), ("51", 7), ("60", 7), ("66", 7), ("69", 7), ("72", 7), ("79", 7), ("88", 7)),
           "48", (("pl", 0.5), ("en", 0.5)), (("EUR", 0.6), ("USD", 0.4))),
    Locale("RU", 6, 0, "独联体", "ru", "{word} {stem}",
           ("Svetlux", "Volga", "Ural", "Neva", "Sibir", "Baltika", "Yug", "Kaspiy", "Altai", "Don", "Tsentr", "Vostok"),
           ("Svetotekhnika", "Elektro", "Energiya", "Svet", "Torgovy Dom"),
           (("LLC", 0.8), ("JSC", 0.2)),
           _people("Dmitry Sergey Alexander Andrey Alexey Ivan Mikhail Elena Olga Natalia Tatiana Irina Anna Pavel"),
           _people("Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Volkov Morozov"),
           (("Moscow", "115093"), ("Saint Petersburg", "191186"), ("Yekaterinburg", "620014"), ("Novosibirsk", "630099"), ("Kazan", "420111")),
           ("ul. Tverskaya", "Leninsky prospekt", "ul. Promyshlennaya", "Nevsky prospekt", "ul. Sadovaya"),
           "{street} {no}, {city} {postcode}",
           (("91", 8), ("92", 8), ("95", 8), ("96", 8), ("98", 8)),
           "7", (("ru", 0.6), ("en", 0.4)), (("USD", 0.5), ("CNY", 0.5))),
    Locale("TR", 5, 1, "中东", "com.tr", "{stem} {word}",
           ("Anadolu", "Boğaziçi", "Ege", "Marmara", "Yıldız", "Aydın", "Kaya", "Demir", "Toros", "Karadeniz", "Ankara", "Güneş"),
           ("Aydınlatma", "Elektrik", "Enerji", "Elektrik Malzemeleri"),
           (("Ltd. Şti.", 0.6), ("A.Ş.", 0.4)),
           _people("Mehmet Mustafa Ahmet Ali Hüseyin Hasan Ayşe Fatma Zeynep Elif Emre Burak Selin"),
           _people("Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan"),
           (("İstanbul", "34394"), ("Ankara", "06510"), ("İzmir", "35220"), ("Bursa", "16010"), ("Antalya", "07100")),
           ("Atatürk Caddesi", "Sanayi Sokak", "İstiklal Caddesi", "Organize Sanayi Bölgesi"),
           "{street} No:{no}, {postcode} {city}",
           (("532", 7), ("533", 7), ("542", 7), ("505", 7), ("555", 7)),
           "90", (("tr", 0.5), ("en", 0.5)), (("USD", 0.7), ("EUR", 0.3))),
    Locale("AE", 10, 1, "中东", "ae", "{stem} {word}",
           ("Al Noor", "Al Futtaim", "Emirates", "Gulf Star", "Al Manara", "Desert Rose", "Al Reem", "Falcon", "Al Safa", "Oasis", "Creek", "Al Wasl"),
           ("Electrical Trading", "Lighting", "Building Materials Trading", "Energy Solutions", "Electromechanical"),
           (("LLC", 0.65), ("FZE", 0.2), ("FZCO", 0.15)),
           _people("Mohammed Ahmed Ali Omar Khalid Hassan Yousef Rashid Fatima Aisha Mariam Saeed Ravi Anil"),
           _people("Al_Mansoori Al_Hashimi Al_Shamsi Al_Nuaimi Al_Marzouqi Khan Qureshi Haddad Nair Menon Al_Falasi"),
           (("Dubai", "P.O. Box 11822"), ("Abu Dhabi", "P.O. Box 4352"), ("Sharjah", "P.O. Box 3218"), ("Dubai", "Jebel Ali Free Zone")),
           ("Al Quoz Industrial Area 3", "Deira Naif Road", "Sheikh Zayed Road", "Musaffah M-10", "Al Khan Street"),
           "{street}, Warehouse {no}, {city}, {postcode}",
           (("50", 7), ("52", 7), ("55", 7), ("56", 7)),
           "971", (("en", 0.8), ("ar", 0.2)), (("USD", 1.0),), whatsapp_share=0.95),
    Locale("SA", 7, 1, "中东", "com.sa", "{stem} {word}",
           ("Al Rashid", "Al Zahrani", "Najd", "Al Hijaz", "Red Sea", "Al Khobar", "Riyadh Star", "Al Jazira", "Tabuk", "Al Bustan"),
           ("Lighting", "Electrical Est.", "Trading", "Contracting", "Energy"),
           (("Co.", 0.5), ("Trading Est.", 0.3), ("LLC", 0.2)),
           _people("Abdullah Mohammed Fahad Saud Faisal Khalid Turki Sultan Nasser Majed Noura Reem"),
           _people("Al_Otaibi Al_Qahtani Al_Ghamdi Al_Zahrani Al_Harbi Al_Dosari Al_Shehri Al_Mutairi Al_Anazi"),
           (("Riyadh", "12211"), ("Jeddah", "21442"), ("Dammam", "32241"), ("Al Khobar", "34424")),
           ("King Fahd Road", "Al Olaya Street", "Second Industrial City", "Prince Sultan Street"),
           "{street} {no}, {city} {postcode}",
           (("50", 7), ("53", 7), ("54", 7), ("55", 7), ("56", 7)),
           "966", (("en", 0.6), ("ar", 0.4)), (("USD", 1.0),), whatsapp_share=0.95),
    Locale("IN", 10, 1, "南亚", "in", "{stem} {word}",
           ("Shree Ganesh", "Bharat", "Sai", "Lakshmi", "Surya", "Krishna", "Om", "Deccan", "Ganga", "Vijay", "Balaji", "Sunrise"),
           ("Electricals", "Lighting", "Electric Traders", "Energy Systems", "Solar Solutions"),
           (("Pvt. Ltd.", 0.75), ("Ltd.", 0.15), ("LLP", 0.1)),
           _people("Rajesh Suresh Amit Vikram Rahul Sanjay Anil Priya Sunita Neha Pooja Deepak Arjun Kavita"),
           _people("Sharma Patel Singh Gupta Kumar Reddy Mehta Shah Agarwal Iyer Nair Jain Verma"),
           (("Mumbai", "400001"), ("New Delhi", "110020"), ("Bengaluru", "560058"), ("Chennai", "600032"), ("Ahmedabad", "380015"), ("Pune", "411018")),
           ("MIDC Industrial Area", "Okhla Industrial Estate Phase II", "Peenya Industrial Area", "Nehru Place", "SG Highway"),
           "Plot {no}, {street}, {city} {postcode}",
           (("98", 8), ("99", 8), ("97", 8), ("90", 8), ("70", 8), ("81", 8), ("88", 8)),
           "91", (("en", 0.9), ("hi", 0.1)), (("USD", 1.0),), whatsapp_share=0.95),
    Locale("JP", 6, 1, "东亚", "co.jp", "{stem} {word}",
           ("Tanaka", "Sakura", "Fuji", "Yamato", "Hikari", "Nishimura", "Kansai", "Tokai", "Matsuda", "Asahi", "Hokuto", "Kinki"),
           ("Denki", "Lighting", "Shoko", "Electric", "Trading"),
           (("Co., Ltd.", 0.7), ("K.K.", 0.2), ("Inc.", 0.1)),
           _people("Hiroshi Takashi Kenji Satoshi Yuki Naoki Kazuya Akiko Yumiko Keiko Tomoko Daisuke Shota"),
           _people("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada"),
           (("Tokyo", "135-0064"), ("Osaka", "550-0002"), ("Nagoya", "455-0032"), ("Yokohama", "231-0023"), ("Fukuoka", "812-0011")),
           ("Ariake", "Minato-ku Shiba", "Nishi-ku Edobori", "Kanazawa-ku Sachiura", "Hakata-ku"),
           "{street} {no}-{no2}, {city} {postcode}",
           (("70[1-9]", 7), ("80", 8), ("90[1-9]", 7)),
           "81", (("ja", 0.7), ("en", 0.3)), (("USD", 0.6), ("JPY", 0.4)), whatsapp_share=0.2),
    Locale("KR", 5, 1, "东亚", "co.kr", "{stem} {word}",
           ("Hanil", "Daehan", "Samhwa", "Seoul", "Hanbit", "Busan", "Kumho", "Dongbang", "Sejin", "Hyundai Light", "Shinsung", "Taeyang"),
           ("Electric", "Lighting", "Tech", "Energy", "Trading"),
           (("Co., Ltd.", 0.85), ("Corp.", 0.15)),
           _people("Min-jun Seo-yeon Ji-hoon Ji-woo Hyun-woo Soo-jin Dong-hyun Eun-ji Sung-min Young-ho Hye-jin"),
           _people("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin"),
           (("Seoul", "06164"), ("Busan", "48058"), ("Incheon", "21999"), ("Daegu", "41585"), ("Suwon", "16488")),
           ("Teheran-ro", "Gasan digital 1-ro", "Centum jungang-ro", "Songdo-dong", "Gwanggyo-ro"),
           "{no} {street}, {city} {postcode}",
           (("10[012346789]", 7),),
           "82", (("ko", 0.6), ("en", 0.4)), (("USD", 1.0),), whatsapp_share=0.2),
    Locale("VN", 6, 1, "东南亚", "com.vn", "{stem} {word}",
           ("Sao Mai", "Hoang Long", "Minh Quang", "Phuong Dong", "Thien An", "Viet Tien", "Hai Phong", "Dong A", "Rang Dong", "An Phat", "Tan Thanh"),
           ("Lighting", "Electrical Equipment", "Trading", "Electric", "Construction"),
           (("Co., Ltd.", 0.65), ("JSC", 0.35)),
           _people("Minh Anh Hung Tuan Linh Huong Thanh Duc Lan Trang Quang Hoa Nam"),
           _people("Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo"),
           (("Ho Chi Minh City", "700000"), ("Hanoi", "100000"), ("Da Nang", "550000"), ("Hai Phong", "180000"), ("Binh Duong", "820000")),
           ("Nguyen Van Linh", "Le Duan", "Tran Hung Dao", "VSIP II", "Pham Van Dong"),
           "{no} {street}, {city} {postcode}",
           (("90", 7), ("91", 7), ("93", 7), ("94", 7), ("96", 7), ("97", 7), ("98", 7), ("86", 7)),
           "84", (("vi", 0.4), ("en", 0.6)), (("USD", 1.0),), whatsapp_share=0.5),
    Locale("TH", 5, 1, "东南亚", "co.th", "{stem} {word}",
           ("Siam", "Chao Phraya", "Bangkok", "Lanna", "Thai Sakol", "Rattana", "Sukhumvit", "Chonburi", "Krung Thep", "Srisawat"),
           ("Light", "Electric", "Lighting Supply", "Engineering", "Trading"),
           (("Co., Ltd.", 0.85), ("Public Co., Ltd.", 0.15)),
           _people("Somchai Somsak Nattapong Kittisak Wichai Siriporn Pornthip Malee Suda Anong Thanawat Chaiwat"),
           _people("Saetang Srisuk Wongsawat Charoenkul Rattanakorn Sukprasert Chaiyaporn Boonmee Kittikul Thongdee"),
           (("Bangkok", "10110"), ("Chonburi", "20000"), ("Chiang Mai", "50000"), ("Samut Prakan", "10280"), ("Rayong", "21000")),
           ("Sukhumvit Road", "Rama IV Road", "Bangna-Trad Road", "Amata City Industrial Estate", "Nimmanhaemin Road"),
           "{no} {street}, {city} {postcode}",
           (("81", 7), ("82", 7), ("86", 7), ("89", 7), ("61", 7), ("91", 7)),
           "66", (("th", 0.4), ("en", 0.6)), (("USD", 1.0),), whatsapp_share=0.3),
    Locale("AU", 10, 1, "大洋洲", "com.au", "{stem} {word}",
           ("Southern Cross", "Outback", "Coral Coast", "Harbour", "Eureka", "Kangaroo Point", "Banksia", "Wattle", "Murray", "Sunshine Coast", "Ironbark", "Tasman"),
           ("Lighting", "Electrical Wholesalers", "LED Solutions", "Solar", "Electrical Supplies"),
           (("Pty Ltd", 0.9), ("Ltd", 0.1)),
           _people("Jack Oliver William Lachlan Thomas Charlotte Olivia Mia Chloe Isla Liam Matthew Zoe"),
           _people("Smith Jones Williams Brown Wilson Taylor Nguyen Johnson Martin White Anderson Kelly Walker"),
           (("Sydney", "NSW 2000"), ("Melbourne", "VIC 3000"), ("Brisbane", "QLD 4000"), ("Perth", "WA 6000"), ("Adelaide", "SA 5000")),
           ("George Street", "Industrial Drive", "Princes Highway", "Parramatta Road", "Commercial Road"),
           "{no} {street}, {city} {postcode}",
           (("41", 7), ("42", 7), ("43", 7), ("45[012456789]", 6), ("47[02345678]", 6)),
           "61", (("en", 1.0),), (("USD", 1.0),), whatsapp_share=0.4),
    Locale("ZA", 5, 1, "非洲", "co.za", "{stem} {word}",
           ("Cape", "Highveld", "Table Mountain", "Karoo", "Springbok", "Ubuntu", "Zulu Sun", "Protea", "Limpopo", "Drakensberg"),
           ("Lighting", "Electrical", "Solar", "Lighting Distributors", "Energy"),
           (("(Pty) Ltd", 0.9), ("Ltd", 0.1)),
           _people("Thabo Sipho Johan Pieter Lerato Nomsa Zanele Themba Andile Karabo Willem Annelie"),
           _people("Nkosi Dlamini Botha van_der_Merwe Mokoena Naidoo Pillay Khumalo Ndlovu Pretorius Mahlangu"),
           (("Johannesburg", "2001"), ("Cape Town", "8001"), ("Durban", "4001"), ("Pretoria", "0002"), ("Port Elizabeth", "6001")),
           ("Main Reef Road", "Voortrekker Road", "Jan Smuts Avenue", "Old Pretoria Road", "Marine Drive"),
           "{no} {street}, {city} {postcode}",
           (("71", 7), ("72", 7), ("73", 7), ("74", 7), ("76", 7), ("82", 7), ("83", 7)),
           "27", (("en", 1.0),), (("USD", 1.0),), whatsapp_share=0.9),
    Locale("NG", 5, 1, "非洲", "com.ng", "{stem} {word}",
           ("Eko", "Lagos Bright", "Niger Delta", "Zenith", "Royal Sun", "Obi", "Adeyemi", "Abuja", "Crown", "Greenfield"),
           ("Power Solutions", "Lighting", "Electrical Ventures", "Solar Energy", "Global Resources"),
           (("Ltd", 0.8), ("Nigeria Ltd", 0.2)),
           _people("Chinedu Emeka Oluwaseun Tunde Adebayo Ifeanyi Ngozi Funke Aisha Yusuf Kelechi Bola"),
           _people("Okafor Adeyemi Okonkwo Bello Eze Nwosu Abubakar Olawale Ibrahim Adeleke Chukwu"),
           (("Lagos", "101241"), ("Abuja", "900211"), ("Port Harcourt", "500101"), ("Kano", "700221"), ("Ibadan", "200211")),
           ("Apapa Road", "Allen Avenue", "Trans-Amadi Industrial Layout", "Awolowo Road", "Adetokunbo Ademola Crescent"),
           "{no} {street}, {city} {postcode}",
           (("803", 7), ("806", 7), ("813", 7), ("703", 7), ("805", 7), ("807", 7), ("905", 7)),
           "234", (("en", 1.0),), (("USD", 1.0),), whatsapp_share=0.95),
    Locale("CN", 8, 1, "国内", "com.cn", "{city}{stem}{word}",
           ("恒光=hengguang", "华耀=huayao", "明辉=minghui", "鑫源=xinyuan", "盛达=shengda", "宏图=hongtu", "嘉诚=jiacheng", "瑞丰=ruifeng", "天成=tiancheng", "金辉=jinhui", "远航=yuanhang", "新锐=xinrui"),
           ("照明科技=lighting", "光电=optoelectronic", "电气=electric", "照明工程=lighting-eng", "新能源=newenergy", "建设工程=construction"),
           (("有限公司", 0.9), ("股份有限公司", 0.1)),
           _people("伟=wei 建华=jianhua 志强=zhiqiang 丽娟=lijuan 晓明=xiaoming 海燕=haiyan 国栋=guodong 秀英=xiuying 俊杰=junjie 婷=ting 文博=wenbo 雪梅=xuemei"),
           _people("陈=chen 刘=liu 杨=yang 黄=huang 周=zhou 吴=wu 徐=xu 孙=sun 马=ma 朱=zhu 胡=hu 郭=guo 何=he 林=lin"),
           (("深圳市", "518000"), ("广州市", "510000"), ("东莞市", "523000"), ("中山市", "528400"), ("佛山市", "528000"), ("宁波市", "315000"), ("杭州市", "310000")),
           ("宝安区福永街道凤凰路", "古镇镇同兴路", "南海区桂城街道南海大道", "萧山经济技术开发区建设一路", "松山湖高新区工业西路"),
           "{city}{street}{no}号",
           (("138", 8), ("139", 8), ("135", 8), ("136", 8), ("150", 8), ("158", 8), ("186", 8), ("188", 8), ("177", 8), ("199", 8)),
           "86", (("zh", 1.0),), (("CNY", 1.0),),
           titles=("采购经理", "总经理", "项目经理", "工程部主管", "采购专员", "技术总监"), whatsapp_share=0.0),
)}

# City abbreviations Chinese companies put in their web domains.
CN_CITY_ASCII = {"深圳市": "sz", "广州市": "gz", "东莞市": "dg", "中山市": "zs", "佛山市": "fs", "宁波市": "nb", "杭州市": "hz"}

# Alternative spellings of a legal form (the planted duplicate customer uses one).
SUFFIX_VARIANTS = {"Ltd.": "Limited", "Limited": "Ltd.", "LLC": "L.L.C.", "Inc.": "Incorporated",
                   "GmbH": "G.m.b.H.", "Co., Ltd.": "Company Limited", "Pty Ltd": "Pty. Limited",
                   "B.V.": "BV", "S.r.l.": "SRL", "Sp. z o.o.": "Spółka z o.o.", "有限公司": "有限责任公司"}



def mobile_prefixes(locale: Locale) -> list[tuple[str, int]]:
    """Expand `212[2-9]`-style entries of `locale.mobile` into plain (prefix, free_digits) pairs."""
    out = []
    for pattern, free in locale.mobile:
        head, _, rest = pattern.partition("[")
        if not rest:
            out.append((head, free))
            continue
        chars = rest.rstrip("]")
        if "-" in chars:
            lo, hi = chars.split("-")
            chars = "".join(str(d) for d in range(int(lo), int(hi) + 1))
        out.extend((head + c, free) for c in chars)
    return out


PUBLIC_MAIL_DOMAINS = {"CN": ("qq.com", "163.com", "126.com"), "default": ("gmail.com", "outlook.com", "yahoo.com")}
