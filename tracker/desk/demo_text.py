"""The words synthetic demo records are made of (tracker/desk/demo.py).

A fixed vocabulary, combined by a seeded random generator, so that the texts read
like the desk's documents (readouts, wire reports, analysis), vary in length and
wording, and give search something to find: common phrases ("critical minerals")
match thousands of records, rarer ones (a port, a programme) only a few.
"""

from __future__ import annotations

import random

COUNTRIES = [
    ("CA", "Canada"), ("KR", "Republic of Korea"), ("JP", "Japan"), ("CN", "China"), ("SG", "Singapore"),
    ("TH", "Thailand"), ("AU", "Australia"), ("CL", "Chile"), ("NZ", "New Zealand"), ("ID", "Indonesia"),
    ("MY", "Malaysia"), ("PH", "Philippines"), ("VN", "Viet Nam"), ("IN", "India"), ("US", "United States"),
    ("MX", "Mexico"), ("PE", "Peru"), ("BN", "Brunei Darussalam"), ("PG", "Papua New Guinea"), ("TW", "Taiwan"),
    ("HK", "Hong Kong, China"), ("RU", "Russia"), ("GB", "United Kingdom"), ("FR", "France"), ("DE", "Germany"),
    ("IT", "Italy"), ("BR", "Brazil"), ("AR", "Argentina"), ("ZA", "South Africa"), ("SA", "Saudi Arabia"),
    ("AE", "United Arab Emirates"), ("TR", "Türkiye"), ("PK", "Pakistan"), ("BD", "Bangladesh"), ("LK", "Sri Lanka"),
    ("KH", "Cambodia"), ("LA", "Lao PDR"), ("MM", "Myanmar"), ("MN", "Mongolia"), ("FJ", "Fiji"),
    ("PL", "Poland"), ("UA", "Ukraine"), ("NO", "Norway"), ("SE", "Sweden"), ("FI", "Finland"),
    ("NL", "Netherlands"), ("ES", "Spain"), ("IE", "Ireland"), ("IL", "Israel"), ("EG", "Egypt"),
    ("NG", "Nigeria"), ("KE", "Kenya"), ("ET", "Ethiopia"), ("CO", "Colombia"), ("EC", "Ecuador"),
    ("QA", "Qatar"), ("KZ", "Kazakhstan"), ("UZ", "Uzbekistan"), ("NP", "Nepal"), ("TL", "Timor-Leste"),
]  # fmt: skip
ORGANISATIONS = [
    ("APEC", "Asia-Pacific Economic Cooperation"), ("ASEAN", "Association of Southeast Asian Nations"),
    ("G7", "Group of Seven"), ("G20", "Group of Twenty"), ("NATO", "North Atlantic Treaty Organization"),
    ("EU", "European Union"), ("UN", "United Nations"), ("WTO", "World Trade Organization"),
    ("OECD", "Organisation for Economic Co-operation and Development"), ("CPTPP", "CPTPP Commission"),
    ("IPEF", "Indo-Pacific Economic Framework"), ("PIF", "Pacific Islands Forum"),
]  # fmt: skip
TOPICS = [
    ("defence", "Defence"), ("trade", "Trade"), ("energy", "Energy"), ("critical-minerals", "Critical minerals"),
    ("agri-food", "Agri-food"), ("cyber", "Cyber"), ("shipbuilding", "Shipbuilding"), ("ports", "Ports"),
    ("semiconductors", "Semiconductors"), ("climate", "Climate"), ("fisheries", "Fisheries"),
    ("migration", "Migration"), ("education", "Education"), ("health", "Health"), ("space", "Space"),
    ("investment", "Investment"), ("aviation", "Aviation"), ("nuclear", "Nuclear"), ("hydrogen", "Hydrogen"),
    ("forestry", "Forestry"), ("arctic", "Arctic"), ("sanctions", "Sanctions"), ("telecoms", "Telecoms"),
    ("research", "Research"),
]  # fmt: skip
FIRST_NAMES = [
    "Mark", "Anita", "Mélanie", "François-Philippe", "Dominic", "Chrystia", "Jae-myung", "Sanae", "Lawrence",
    "Anthony", "Gabriel", "Christopher", "Prabowo", "Anwar", "Ferdinand", "Narendra", "Pham", "Paetongtarn",
    "Elena", "Kwame", "Sofia", "Hiroshi", "Min-jun", "Aroha", "Tomás", "Ingrid", "Olusegun", "Priya", "Nguyen",
    "Siti", "Rahul", "Marta", "Kenji", "Yuna", "Lucas", "Amara", "Jonah", "Farida", "Mateo", "Leilani",
]  # fmt: skip
LAST_NAMES = [
    "Carney", "Anand", "Joly", "Champagne", "LeBlanc", "Lee", "Takaichi", "Wong", "Albanese", "Boric", "Luxon",
    "Subianto", "Ibrahim", "Marcos", "Modi", "Minh Chinh", "Shinawatra", "Park", "Kim", "Sato", "Suzuki", "Tan",
    "Lim", "Singh", "Okafor", "Mensah", "Haddad", "Rossi", "Novak", "Larsen", "Ferreira", "Moreau", "Schmidt",
    "Kowalski", "Ng", "Chua", "Rahman", "Fonoti", "Tuilagi", "Petrov",
]  # fmt: skip
OFFICES = [
    "Prime Minister", "President", "Minister of Foreign Affairs", "Minister of International Trade",
    "Minister of National Defence", "Minister of Industry", "Minister of Energy and Natural Resources",
    "Minister of Agriculture", "Ambassador to Canada", "Trade Commissioner", "Deputy Minister of Foreign Affairs",
    "Chief Trade Negotiator", "National Security Adviser", "Minister of Finance", "Special Envoy to the Indo-Pacific",
    "Minister of Fisheries", "Minister of Transport", "Minister of Innovation", "Secretary-General",
    "Minister of Environment",
]  # fmt: skip
PUBLISHERS = [
    ("Prime Minister of Canada", "official", "primary", "pm.gc.ca"),
    ("Global Affairs Canada", "official", "primary", "international.gc.ca"),
    ("Office of the President of Korea", "official", "primary", "president.go.kr"),
    ("Ministry of Foreign Affairs of Japan", "official", "primary", "mofa.go.jp"),
    ("The Globe and Mail", "news", "established_secondary", "theglobeandmail.com"),
    ("CBC News", "news", "established_secondary", "cbc.ca"),
    ("Reuters", "news", "established_secondary", "reuters.com"),
    ("Yonhap News Agency", "news", "established_secondary", "yna.co.kr"),
    ("The Straits Times", "news", "established_secondary", "straitstimes.com"),
    ("Nikkei Asia", "news", "established_secondary", "asia.nikkei.com"),
    ("Asia Pacific Foundation of Canada", "analysis", "established_secondary", "asiapacific.ca"),
    ("Policy Options", "analysis", "established_secondary", "policyoptions.irpp.org"),
    ("The Pivot Letter", "analysis", "unverified", "pivotletter.substack.com"),
    ("Pacific Trade Monitor", "aggregator", "unverified", "pacifictrademonitor.net"),
    ("Indo-Pacific Brief", "opinion", "unverified", "indopacificbrief.blog"),
    ("Northern Observer", "opinion", "unreliable", "northernobserver.info"),
]  # fmt: skip
CITIES = [
    "Ottawa", "Gyeongju", "Seoul", "Tokyo", "Kuala Lumpur", "Singapore", "Jakarta", "Manila", "Hanoi", "Bangkok",
    "Canberra", "Wellington", "Santiago", "Lima", "New Delhi", "Toronto", "Vancouver", "Montréal", "Calgary",
    "Halifax", "Busan", "Osaka", "Da Nang", "Auckland", "Brisbane", "Honolulu", "Washington", "Brussels",
    "Geneva", "London",
]  # fmt: skip
OCCASIONS = [
    "APEC Leaders' Week", "the G20 summit", "the G7 summit", "the ASEAN summit", "an official visit",
    "a working visit", "the Shangri-La Dialogue", "the UN General Assembly", "a trade mission",
    "the East Asia Summit", "the NATO summit", "a state visit", "the CPTPP Commission meeting", "",
]  # fmt: skip
SUBJECTS = [
    "The minister", "The prime minister", "The trade envoy", "The delegation", "Officials", "The readout",
    "The president", "Negotiators", "The ambassador", "The two leaders", "The defence minister", "A spokesperson",
    "The trade commissioner", "Senior officials", "The government", "The joint statement",
]  # fmt: skip
VERBS = [
    "announced", "confirmed", "signed", "launched", "concluded", "welcomed", "proposed", "reviewed", "endorsed",
    "postponed", "ruled out", "discussed", "pledged", "highlighted", "downplayed", "questioned",
]  # fmt: skip
OBJECTS = [
    "a partnership on critical minerals", "negotiations on a free trade agreement", "a defence industry dialogue",
    "a memorandum on cyber security", "an energy supply arrangement", "a port visit programme",
    "joint exercises in the Pacific", "a trade mission for next year", "new investments in clean energy",
    "an agri-food market access deal", "cooperation on submarine procurement", "a strategic partnership",
    "a liquefied natural gas supply contract", "a research exchange on quantum computing",
    "a framework on semiconductor supply chains", "an information-security agreement",
    "a working holiday programme", "a fisheries enforcement pact", "a hydrogen corridor study",
    "a space cooperation arrangement", "a shipbuilding joint venture", "a review of tariffs on canola",
    "a climate finance package", "a nuclear fuel supply agreement", "an Arctic research station",
    "sanctions on dual-use exports", "a telecoms security review", "a lithium refining plant",
    "an aviation safety accord", "a forestry products quota",
]  # fmt: skip
WHEN = [
    "on Tuesday", "on Wednesday", "last week", "earlier this month", "on the sidelines of the summit",
    "after two days of talks", "in a joint statement", "at a news conference", "during the visit",
    "in a written readout", "late on Friday", "before the leaders met",
]  # fmt: skip
QUALIFIERS = [
    "covering {pct}% of the goods in question", "worth {money} over {years} years",
    "with a first review due in {year}", "although no text has been published", "subject to parliamentary approval",
    "according to two officials familiar with the talks", "a claim the opposition disputed",
    "which analysts called largely symbolic", "the first such step since {year}",
    "with {count} projects named so far", "pending a legal review", "as part of the Indo-Pacific strategy",
]  # fmt: skip
PROGRAMMES = [
    "Pacific Shield", "Northern Bridge", "Harbour Link", "Maple Current", "Blue Corridor", "Cedar Gate",
    "Silver Tide", "Aurora Compact", "Kelp Line", "Granite Path", "Tern Passage", "Juniper Accord",
]  # fmt: skip
MINERALS = ["lithium", "cobalt", "nickel", "graphite", "rare earth elements", "uranium", "potash", "copper"]


def money(rng: random.Random) -> str:
    return f"${rng.randint(2, 950)} {rng.choice(['million', 'billion'])}"


def sentence(rng: random.Random, people: list[str], places: list[str]) -> str:
    """One sentence of a document, from one of a few templates."""
    form = rng.random()
    if form < 0.45:
        qualifier = rng.choice(QUALIFIERS).format(
            pct=rng.randint(2, 95), money=money(rng), years=rng.randint(2, 12), year=rng.randint(2018, 2031),
            count=rng.randint(2, 40),
        )  # fmt: skip
        return (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} in {rng.choice(places)} "
            f"{rng.choice(WHEN)}, {qualifier}."
        )
    if form < 0.65:
        return (
            f"{rng.choice(people)}, the {rng.choice(OFFICES).lower()}, said the {rng.choice(PROGRAMMES)} "
            f"initiative would {rng.choice(['double', 'expand', 'secure', 'review', 'cap'])} "
            f"{rng.choice(MINERALS)} shipments by {rng.randint(2026, 2035)}."
        )
    if form < 0.8:
        return (
            f"Trade between the two countries {rng.choice(['grew', 'fell', 'stalled', 'recovered'])} by "
            f"{rng.randint(1, 40)} percent in {rng.randint(2019, 2025)}, to {money(rng)}, "
            f"according to {rng.choice(['customs data', 'the ministry', 'a trade council', 'Statistics Canada'])}."
        )
    if form < 0.9:
        return (
            f"Talks on {rng.choice(OBJECTS)} are {rng.choice(['continuing', 'stalled', 'at an advanced stage'])}, "
            f"and a {rng.choice(['signing', 'review', 'ministerial meeting'])} is expected in "
            f"{rng.choice(places)} {rng.choice(['next month', 'before the end of the year', 'in the spring'])}."
        )
    return (
        f"“We {rng.choice(['welcome', 'expect', 'will not accept', 'are reviewing'])} "
        f"{rng.choice(OBJECTS)},” {rng.choice(people)} told reporters in {rng.choice(places)}."
    )


def document(rng: random.Random, *, dateline: str, people: list[str], places: list[str], size: int) -> str:
    """A document of about `size` characters: a dateline, then paragraphs of two to five
    sentences, one paragraph per line."""
    lines = [dateline]
    length = len(dateline)
    while length < size:
        paragraph = " ".join(sentence(rng, people, places) for _ in range(rng.randint(2, 5)))
        lines.append(paragraph)
        length += len(paragraph) + 1
    return "\n".join(lines)


def paragraph(rng: random.Random, people: list[str], places: list[str], n: int) -> str:
    return " ".join(sentence(rng, people, places) for _ in range(n))
