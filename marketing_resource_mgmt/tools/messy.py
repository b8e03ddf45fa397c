"""Messy UK contact values, as real lists have them (see ../shared/data/uk-500.csv).

Plain Python, no Odoo: every function takes a seeded ``random.Random`` so that
a size always gives the same data. The vocabulary below is typed for this
generator (not copied from any list); each county carries its postcode areas,
phone area codes and a few towns so that postcode, phone and county agree.
"""

# county -> (postcode areas, phone area codes, towns); weights favour the north,
# where the routing and segment benchmarks look ("Yorkshire" rules).
COUNTIES = [
    (
        "South Yorkshire",
        ["S"],
        ["0114", "01709", "01302"],
        ["Sheffield", "Rotherham", "Doncaster", "Barnsley"],
        6,
    ),
    (
        "West Yorkshire",
        ["LS", "BD", "HD", "WF"],
        ["0113", "01274", "01484", "01924"],
        ["Leeds", "Bradford", "Huddersfield", "Wakefield"],
        8,
    ),
    (
        "North Yorkshire",
        ["YO", "HG"],
        ["01904", "01423"],
        ["York", "Harrogate", "Scarborough"],
        4,
    ),
    (
        "East Riding of Yorkshire",
        ["HU"],
        ["01482"],
        ["Hull", "Beverley", "Bridlington"],
        3,
    ),
    ("Greater London", ["E", "N", "SW", "SE", "W", "EC"], ["020"], ["London"], 14),
    (
        "Greater Manchester",
        ["M", "BL", "OL", "SK"],
        ["0161", "01204"],
        ["Manchester", "Bolton", "Oldham", "Stockport"],
        8,
    ),
    ("Merseyside", ["L", "CH"], ["0151"], ["Liverpool", "Birkenhead", "St. Helens"], 5),
    (
        "West Midlands",
        ["B", "CV", "WV"],
        ["0121", "024", "01902"],
        ["Birmingham", "Coventry", "Wolverhampton"],
        8,
    ),
    (
        "Tyne and Wear",
        ["NE", "SR"],
        ["0191"],
        ["Newcastle upon Tyne", "Sunderland", "Gateshead"],
        4,
    ),
    (
        "Kent",
        ["CT", "ME", "TN"],
        ["01227", "01634", "01892"],
        ["Canterbury", "Maidstone", "Tunbridge Wells"],
        4,
    ),
    (
        "Essex",
        ["CM", "CO", "SS"],
        ["01245", "01206", "01702"],
        ["Chelmsford", "Colchester", "Southend-on-Sea"],
        4,
    ),
    (
        "Hampshire",
        ["SO", "PO", "RG"],
        ["023", "01256"],
        ["Southampton", "Portsmouth", "Basingstoke"],
        4,
    ),
    (
        "Devon",
        ["EX", "PL", "TQ"],
        ["01392", "01752", "01803"],
        ["Exeter", "Plymouth", "Torquay"],
        3,
    ),
    (
        "Lancashire",
        ["PR", "BB", "LA", "FY"],
        ["01772", "01254", "01524", "01253"],
        ["Preston", "Blackburn", "Lancaster", "Blackpool"],
        4,
    ),
    (
        "North East Lincolnshire",
        ["DN"],
        ["01472"],
        ["Grimsby", "Cleethorpes", "Immingham"],
        2,
    ),
    (
        "Lincolnshire",
        ["LN", "PE"],
        ["01522", "01205"],
        ["Lincoln", "Boston", "Grantham"],
        2,
    ),
    (
        "Nottinghamshire",
        ["NG"],
        ["0115", "01623"],
        ["Nottingham", "Mansfield", "Newark"],
        3,
    ),
    ("Leicestershire", ["LE"], ["0116", "01509"], ["Leicester", "Loughborough"], 3),
    ("Bristol", ["BS"], ["0117"], ["Bristol"], 3),
    (
        "Cornwall",
        ["TR", "PL"],
        ["01872", "01736"],
        ["Truro", "Penzance", "St. Austell"],
        2,
    ),
    (
        "Norfolk",
        ["NR", "PE"],
        ["01603", "01553"],
        ["Norwich", "King's Lynn", "Great Yarmouth"],
        2,
    ),
    ("Suffolk", ["IP", "CB"], ["01473", "01284"], ["Ipswich", "Bury St. Edmunds"], 2),
    ("Oxfordshire", ["OX"], ["01865", "01295"], ["Oxford", "Banbury"], 2),
    (
        "Cambridgeshire",
        ["CB", "PE"],
        ["01223", "01733"],
        ["Cambridge", "Peterborough", "Ely"],
        2,
    ),
    (
        "Surrey",
        ["GU", "KT", "RH"],
        ["01483", "01372"],
        ["Guildford", "Woking", "Epsom"],
        3,
    ),
    ("Aberdeenshire", ["AB"], ["01224", "01779"], ["Aberdeen", "Peterhead"], 2),
    ("City of Edinburgh", ["EH"], ["0131"], ["Edinburgh", "Leith"], 3),
    ("Glasgow City", ["G"], ["0141"], ["Glasgow"], 3),
    ("Cardiff", ["CF"], ["029"], ["Cardiff", "Penarth"], 2),
    (
        "Staffordshire",
        ["ST", "WS"],
        ["01782", "01785"],
        ["Stoke-on-Trent", "Stafford", "Burton upon Trent"],
        2,
    ),
    ("Derbyshire", ["DE"], ["01332", "01246"], ["Derby", "Chesterfield", "Buxton"], 2),
    (
        "Cheshire",
        ["CW", "WA"],
        ["01244", "01925"],
        ["Chester", "Warrington", "Crewe"],
        2,
    ),
]

ABBREVIATIONS = {
    "South": "S.",
    "North": "N.",
    "West": "W.",
    "East": "E.",
    "Greater": "Gtr",
    "Saint": "St",
}

FIRST_NAMES = (
    "Aleshia Evan France Ulysses Tyisha Eric Marg Laquita Lura Yuette Fernanda "
    "Charlesetta Corrinne Niesha Rueben Michell Edgar Dewitt Charisse Mee Peter Oliver "
    "Amelia Jack Isla Harry Ava Jacob Emily Charlie Sophie Thomas Grace George Lily "
    "Noah Chloe James Ella William Mia Joshua Evie Muhammad Ruby Alfie Poppy Henry "
    "Freya Leo Daisy Oscar Zoe Archie Erin Ethan Holly Mohammed Siobhan Niamh Aoife "
    "Dylan Rhys Seren Eilidh Callum Fiona Angus Priya Arjun Zainab Bartosz Zofia "
    "Chinedu Adaeze Kwame Sinead Gareth Bronwen Dafydd Catrin Lachlan Morag Hamish "
    "Iona"
).split()
LAST_NAMES = (
    "Tomkiewicz Zigomalas Andrade Mcwalters Veit Rampy Grasmick Hoa Manzella Klapec "
    "Writer Sporleder Bracco Weeter Haakinson Smith Jones Williams Taylor Brown Davies "
    "Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright Walker White Edwards "
    "Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper "
    "Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott "
    "Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum O'Brien McDonald MacLeod Nowak "
    "Kowalski Okafor Mensah"
).split()
COMPANY_WORDS = (
    "Acme Albion Anchor Apex Arden Avon Beacon Birch Bridge Brook Castle Cedar Clarion "
    "Crown Dale Delta Eden Elm Falcon Forge Garnet Granite Harbour Heath Heron "
    "Highland Iron Kestrel Lark Maple Meridian Mill Moor Navigator Northgate Oak "
    "Orchard Pennine Pioneer Quay Raven Ridge River Rose Severn Signal Summit Thames "
    "Tudor Union Vale Vanguard Viking Wharf Willow"
).split()
COMPANY_TRADES = (
    "Engineering Logistics Consulting Foods Motors Print Solutions Systems Holdings "
    "Building Electrical Plumbing Joinery Textiles Software Media Marketing Travel "
    "Catering Chemicals"
).split()
COMPANY_SUFFIXES = [
    "Ltd",
    "Ltd.",
    "Limited",
    "LTD",
    "PLC",
    "plc",
    "LLP",
    "& Sons",
    "& Co",
    "Group",
    "UK Ltd",
    "",
]
STREET_KINDS = [
    "St",
    "St.",
    "Street",
    "Rd",
    "Road",
    "Ave",
    "Avenue",
    "Lane",
    "Ln",
    "Place",
    "Close",
    "Way",
    "Court",
]
MAIL_DOMAINS = [
    "hotmail.com",
    "gmail.com",
    "yahoo.co.uk",
    "btinternet.com",
    "outlook.com",
    "aol.com",
]

_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def weighted_counties():
    """Return (counties, cumulative weights) for ``rng.choices``."""
    return COUNTIES, [c[4] for c in COUNTIES]


def misspell(rng, word):
    """One typo: a dropped, doubled, swapped or replaced letter
    ("North Eart Lincolnshire")."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice("aeiourstn") + word[i + 1 :]


def messy_county(rng, county):
    """The county as people type it: mostly right, sometimes inverted
    ("Yorkshire, South"), abbreviated, in the wrong case or misspelled."""
    roll = rng.random()
    words = county.split()
    if roll < 0.55:
        return county
    if roll < 0.70 and len(words) > 1:
        return f"{' '.join(words[1:])}, {words[0]}"
    if roll < 0.80:
        return " ".join(ABBREVIATIONS.get(w, w) for w in words)
    if roll < 0.90:
        return county.upper() if rng.random() < 0.5 else county.lower()
    return misspell(rng, county)


def postcode(rng, area):
    """A valid-looking UK postcode, then written messily (case, spacing, dashes)."""
    outward = f"{area}{rng.randint(1, 29)}"
    inward = f"{rng.randint(0, 9)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
    roll = rng.random()
    if roll < 0.70:
        return f"{outward} {inward}"
    if roll < 0.80:
        return f"{outward}{inward}"
    if roll < 0.88:
        return f"{outward} {inward}".lower()
    if roll < 0.95:
        return f"{outward}  {inward}"
    return f"{outward}-{inward}"


def phone(rng, area_code):
    """A UK number in one of the ways people write it: 0113 496 0123,
    +44 113 4960123, 0044 (0)113 496-0123, (0113) 4960123, 01134960123."""
    local_len = 10 - len(area_code) + 1  # national numbers have 11 digits
    local = "".join(str(rng.randrange(10)) for _ in range(local_len))
    area = area_code[1:]
    roll = rng.random()
    if roll < 0.35:
        return f"{area_code} {local[:3]} {local[3:]}"
    if roll < 0.50:
        return f"{area_code}-{local}"
    if roll < 0.65:
        return f"+44 {area} {local}"
    if roll < 0.75:
        return f"0044 (0){area} {local[:3]}-{local[3:]}"
    if roll < 0.85:
        return f"({area_code}) {local}"
    if roll < 0.93:
        return f"{area_code}{local}"
    return f"+44-{area}-{local[:3]}-{local[3:]}"


def mobile(rng):
    digits = "".join(str(rng.randrange(10)) for _ in range(6))
    return rng.choice([f"07700 {digits}", f"+44 7700 {digits}", f"077 00{digits}"])


def e164(raw):
    """The sanitized (+44...) form Odoo stores in phone_sanitized."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44"):
        digits = digits[2:]
    digits = digits.replace("0", "", 1) if digits.startswith("0") else digits
    # "(0)" inside +44 numbers leaves a leading zero on the area code
    if digits.startswith("0"):
        digits = digits[1:]
    return f"+44{digits}"


def company_name(rng):
    name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_TRADES)}"
    if rng.random() < 0.25:
        name = f"{rng.choice(LAST_NAMES)} {name}"
    suffix = rng.choice(COMPANY_SUFFIXES)
    return f"{name} {suffix}".strip()


def street(rng):
    return f"{rng.randint(1, 240)} {rng.choice(LAST_NAMES)} {rng.choice(STREET_KINDS)}"
