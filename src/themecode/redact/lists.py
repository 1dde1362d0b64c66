"""Word lists used by `themecode.redact.engine`: sector vocabulary kept as is, and names/places redacted.

The lists are deliberately plain tuples so the team can read and extend them; a project adds its
own terms through the `redaction_terms` table (NAME / PLACE / KEEP), which `Redactor` takes as
`extra_names`, `extra_places` and `keep`.
"""

from __future__ import annotations

# The 26 probation delivery units inspected (domain brief). Used as context, never redacted.
PDU_NAMES: tuple[str, ...] = (
    "Gwent",
    "Swansea and Neath Port Talbot",
    "West Kent",
    "West Sussex",
    "Essex North",
    "Northamptonshire",
    "Birmingham North, East and Solihull",
    "Staffordshire and Stoke",
    "Warwickshire",
    "Hammersmith, Fulham, Kensington, Chelsea and Westminster",
    "Ealing and Hillingdon",
    "South Tyneside and Gateshead",
    "Derby City",
    "Leicester, Leicestershire and Rutland",
    "Kirklees",
    "Sheffield",
    "Hull and East Riding of Yorkshire",
    "North and North-East Lancashire",
    "Tameside",
    "Wigan",
    "Blackburn and Darwen",
    "Cumbria",
    "Portsmouth and the Isle of Wight",
    "Somerset",
    "Dorset",
    "Bristol and South Gloucestershire",
)

# Words of PDU names that are context on their own too: counties, regions and the two-word PDU
# names' parts. Towns inside the long PDU names ("Darwen", "Chelsea") are places or names when
# they stand alone; the full PDU names are kept as phrases.
PDU_CONTEXT_WORDS: tuple[str, ...] = (
    "Gwent", "Kent", "West", "Sussex", "Essex", "North", "South", "East", "Northamptonshire",
    "Staffordshire", "Warwickshire", "Derby", "City", "Leicestershire", "Kirklees", "Sheffield",
    "Yorkshire", "Riding", "Lancashire", "North-East", "Tameside", "Wigan", "Cumbria", "Isle",
    "Wight", "Somerset", "Dorset", "Gloucestershire", "Tyneside",
)

# Sector vocabulary, agencies, programmes and other capitalised words that are not personal details.
KEEP_TERMS: tuple[str, ...] = (
    # services and agencies
    "Probation Service", "Probation", "National Probation Service", "HM Prison and Probation Service",
    "His Majesty's Inspectorate of Probation", "HM Inspectorate of Probation", "Inspectorate",
    "Police", "Police National Computer", "Public Protection Unit", "Domestic Abuse Unit",
    "Children's Services", "Children's Social Care", "Social Care", "Social Services",
    "Adult Social Care", "Youth Justice Service", "Youth Offending Team", "Multi-Agency",
    "Multi-Agency Safeguarding Hub", "Multi-Agency Public Protection Arrangements",
    "Multi-Agency Risk Assessment Conference", "Safeguarding", "Local Authority", "Council",
    "Court", "Crown Court", "Magistrates' Court", "Magistrates", "Family Court", "Parole Board",
    "Home Office", "Ministry of Justice", "Department for Work and Pensions", "Jobcentre",
    "Jobcentre Plus", "Universal Credit", "Housing", "Housing Options", "Approved Premises",
    "Community Mental Health Team", "Mental Health", "Liaison and Diversion", "NHS", "GP",
    "Health", "Hospital", "Accident and Emergency", "Citizens Advice", "Shelter", "Nacro",
    "St Giles Trust", "Turning Point", "Change Grow Live", "Women's Centre", "Refuge",
    "Independent Domestic Violence Advisor", "Victim Liaison Officer", "Victim Contact Scheme",
    "Offender Manager", "Offender Management", "Probation Officer", "Probation Service Officer",
    "Senior Probation Officer", "Head of Service", "Practitioner", "Case Manager",
    "Commissioned Rehabilitative Services", "Structured Intervention", "Interventions",
    "Accredited Programme", "Building Better Relationships", "Thinking Skills Programme",
    "Kaizen", "Horizon", "iHorizon", "IHorizon", "Resolve", "Becoming New Me", "New Me Strengths",
    "Healthy Relationships", "Drink Impaired Drivers", "Unpaid Work", "Community Payback",
    "Rehabilitation Activity Requirement", "Alcohol Treatment Requirement",
    "Drug Rehabilitation Requirement", "Mental Health Treatment Requirement",
    "Sexual Harm Prevention Order", "Sexual Risk Order", "Restraining Order",
    "Non-Molestation Order", "Domestic Violence Protection Order", "Criminal Behaviour Order",
    "Stalking Protection Order", "Child Protection", "Child Protection Plan", "Child in Need",
    "Looked After", "Early Help", "Domestic Abuse", "Risk Management Plan", "Risk of Serious Harm",
    "Sentence Plan", "Pre-Sentence Report", "Termination Review", "Licence", "Recall",
    "Post Sentence Supervision", "Community Order", "Suspended Sentence Order", "Curfew",
    "Electronic Monitoring", "Tag", "Assessment", "Planning", "Implementation", "Delivery",
    "Implementation and Delivery", "Reviewing", "Keeping Other People Safe", "ASPIRE",
    "Public Protection", "Key Question", "Inspector", "Inspectors", "Duty", "Register",
    "Sex Offender Register", "Violent and Sex Offender Register", "Probation Delivery Unit",
    "OASys", "nDelius", "Delius", "RoSH", "RSR", "OVP", "OGRS", "MAPPA", "MARAC", "MASH", "SPO",
    "PO", "PSO", "PoP", "PDU", "YJS", "CRS", "SHPO", "HMPPS", "HMIP", "DWP", "CPS", "PNC",
    "IDVA", "ViSOR", "ARMS", "SARN", "Covid", "Covid-19", "COVID", "Christmas", "Easter",
    "Ramadan", "Eid", "English", "British", "Welsh", "Scottish", "Irish", "European", "Polish",
    "Romanian", "Muslim", "Christian", "Internet", "Facebook", "WhatsApp", "Instagram",
    "Snapchat", "Teams", "Microsoft Teams", "Zoom", "Google", "Level", "Category", "Tier",
    "Stage", "Annex", "Section", "Part", "Chapter", "Act", "Criminal Justice Act",
    "Mental Health Act", "Care Act", "Children Act", "England", "Wales", "England and Wales",
    "UK", "United Kingdom", "Britain", "Great Britain", "North", "South", "East", "West",
    "Prison", "Young Offender Institution", "Secure Hospital", "Approved Premise",
    # schemes and laws named after a person: the name is the scheme's, not a personal detail
    "Clare's Law", "Clare’s Law", "Sarah's Law", "Sarah’s Law", "Helen's Law", "Helen’s Law",
    "Finn's Law", "Finn’s Law", "Tony's Law", "Tony’s Law", "Jade's Law", "Jade’s Law",
    "Domestic Violence Disclosure Scheme", "Child Sex Offender Disclosure Scheme",
    # case-management and records systems of probation, police, health and social care
    "NDelius", "ePOMS", "NOMIS", "PNOMIS", "CaseLink", "LiquidLogic", "Liquidlogic", "Mosaic",
    "CareFirst", "ContrOCC", "SystmOne", "EMIS", "RiO", "SharePoint", "OneDrive", "Libra",
    "Common Platform", "XHIBIT", "CRAMS", "Frameworki", "Eclipse",
    # agencies and charities
    "CAMHS", "NSPCC", "Samaritans", "Barnardo's", "Barnardo’s", "Women's Aid", "Women’s Aid",
    "Youth Court", "County Court", "High Court", "Forward Trust", "Humankind", "Catch22",
    "Interventions Alliance", "Probation House",
    # single sector nouns writers capitalise mid-sentence ("on Supervision", "the Panel")
    "Supervision", "Order", "Orders", "Requirement", "Requirements", "Programme", "Programmes",
    "Intervention", "Referral", "Plan", "Plans", "Review", "Reviews", "Team", "Manager",
    "Officer", "Service", "Services", "Unit", "Board", "Panel", "Conference", "Meeting",
    "Strategy", "Hub", "Centre", "Trust", "Partnership", "Agency", "Department", "Authority",
    "Hostel", "Premises", "Management", "Oversight", "Contingency", "Victim", "Victims",
    "Offender", "Offenders", "Safeguarding", "Risk", "Harm", "Sentence", "Release", "Custody",
    # family members, never names
    "Mum", "Mummy", "Dad", "Daddy", "Mother", "Father", "Nan", "Nana", "Nanna", "Gran", "Granny",
    "Grandma", "Grandad", "Granddad", "Grandmother", "Grandfather", "Auntie", "Aunty", "Aunt",
    "Uncle", "Sister", "Brother", "Stepdad", "Stepmum", "Partner", "Ex-partner", "Wife",
    "Husband", "Son", "Daughter", "Baby", "Child", "Children",
)

# Sector acronyms that are written in capitals and are never names (a run of capitals that is
# not one of these may be a name written in capitals: "JOHN SMITH").
ACRONYMS: tuple[str, ...] = (
    "MAPPA", "MARAC", "MASH", "OASYS", "ROSH", "RSR", "OVP", "OGRS", "OSP", "SPO", "PO", "PSO",
    "POP", "PDU", "YJS", "YOT", "CRS", "SHPO", "SRO", "HMPPS", "HMIP", "HMP", "HMYOI", "NPS",
    "CRC", "DWP", "CPS", "PNC", "IDVA", "ISVA", "VISOR", "ARMS", "SARN", "CAMHS", "CMHT", "NHS",
    "GP", "AP", "APS", "ETE", "IOM", "DASH", "DVPN", "DVPO", "DVDS", "CSODS", "SOTP", "TSP", "BBR",
    "IDAP", "CALM", "DRR", "ATR", "MHTR", "RAR", "UPW", "SSO", "CO", "PSS", "HDC", "ROTL", "OMU",
    "OMIC", "POM", "COM", "PSR", "OPD", "ACCT", "ASB", "ASBO", "CBO", "NDELIUS", "DELIUS", "OASYS",
    "MOSOVO", "PPU", "DAU", "CID", "SOCO", "IOPC", "MOJ", "HMCTS", "LA", "MARAC", "CIN", "CP",
    "LAC", "CSC", "DV", "DA", "VAWG", "VLO", "VCS", "SMART", "UK", "EU", "ID", "OK", "NB", "ASAP",
    "CAS", "BASS", "EPF", "ESA", "PIP", "UC", "JSA", "NFA", "TBC", "TBA", "AKA", "DOB", "PIN",
    "COVID", "LGBT", "LGBTQ", "BAME", "ADHD", "ASD", "PTSD", "NACRO", "CGL", "NSPCC", "RSPCA",
)

# Given names that are also English words: at the start of a sentence one is taken for a name
# when a verb of speaking or doing follows ("Hope said", "Will rang") or it is possessive.
WORD_FIRST_NAMES: tuple[str, ...] = (
    "Hope", "Faith", "Grace", "Joy", "Summer", "Rose", "Dawn", "Crystal", "Ivy", "Daisy", "Will",
    "Rob", "Frank", "Sue", "Pat", "Bill", "Guy", "Grant", "Victor", "Skye", "Autumn", "Heather",
    "Iris", "Jasmine", "Poppy", "Ruby", "Amber", "Holly", "Robin", "Jay", "Mercy", "Honor",
    "Melody", "Cliff", "Chase", "Hunter", "Destiny", "Patience", "Sunny", "Misty", "Precious",
    "Pearl", "Violet", "Lily", "Hazel", "Olive", "Harmony", "Charity", "Prudence", "Felicity",
    "Rich", "Mark", "Bob", "Ray", "Dean", "Drew", "Wade", "Reed", "Miles", "Sterling", "Gene",
    "Carol", "Carole", "Kitty", "Penny", "Goldie", "Sky", "Storm", "River", "Brook", "Brooke",
    "Willow", "Jade", "Royal", "Jewel", "Rocky", "Rusty", "Sandy", "Dusty", "Lucky", "Noble",
    "Earl", "Duke", "King", "Prince", "Major", "Basil", "Bud", "Ginger", "Marina", "Sage",
)

# Lower-case particles of surnames ("van der Berg", "de la Cruz", "bin Rashid", "al-Hassan").
NAME_PARTICLES: tuple[str, ...] = (
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la",
    "le", "bin", "ibn", "bint", "al", "el", "ter", "ten", "ap",
)

# Words that are capitalised only because they start a sentence or are titles of things;
# never a name on their own (added to the heuristic's stop list).
FUNCTION_WORDS: tuple[str, ...] = (
    "I", "A", "An", "The", "This", "That", "These", "Those", "There", "Their", "They", "Them",
    "He", "She", "His", "Her", "Hers", "Him", "It", "Its", "We", "Our", "You", "Your", "My",
    "Whilst", "While", "Although", "Though", "However", "Overall", "Additionally", "Also",
    "Further", "Furthermore", "Moreover", "Despite", "During", "Following", "After", "Before",
    "Since", "Until", "When", "Where", "Which", "Who", "Whom", "Whose", "What", "Why", "How",
    "If", "As", "At", "In", "On", "Of", "For", "From", "By", "With", "Within", "Without", "To",
    "And", "But", "Or", "Nor", "So", "Yet", "Not", "No", "Yes", "All", "Some", "Any", "Each",
    "Both", "Either", "Neither", "Other", "Another", "Such", "Only", "Even", "Just", "Then",
    "Thus", "Therefore", "Consequently", "Subsequently", "Initially", "Latterly", "Recently",
    "Currently", "Previously", "Unfortunately", "Fortunately", "Positively", "Notably",
    "Importantly", "Encouragingly", "Regrettably", "Similarly", "Likewise", "Instead",
    "Nevertheless", "Nonetheless", "Although", "Unless", "Once", "Here", "Now", "Today",
    "Tomorrow", "Yesterday", "Ok", "OK", "Okay", "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr",
    "Sir", "Madam", "Dear", "Regards", "Note", "NB", "Re",
    # closed-class words the lemma tables lack (they have no inflections and WordNet omits them)
    "Whether", "Because", "Whereas", "Whatever", "Whenever", "Wherever", "Whoever", "Whichever",
    "Everything", "Everyone", "Everybody", "Everywhere", "Nothing", "Nobody", "Nowhere",
    "Something", "Someone", "Somebody", "Somewhere", "Anything", "Anyone", "Anybody", "Anywhere",
    "Myself", "Yourself", "Himself", "Herself", "Itself", "Ourselves", "Themselves", "Every",
    "Many", "Much", "More", "Most", "Less", "Least", "Few", "Fewer", "Several", "Own", "Same",
    "Upon", "Among", "Amongst", "Between", "Within", "Throughout", "Towards", "Toward", "Against",
    "Across", "Along", "Around", "Behind", "Below", "Beneath", "Beside", "Besides", "Beyond",
    "Inside", "Outside", "Over", "Under", "Underneath", "Unlike", "Via", "Per", "Regarding",
    "Concerning", "Including", "Excluding", "Except", "Albeit", "Lest", "Till", "Hence",
    "Thereafter", "Meanwhile", "Otherwise", "Accordingly", "Indeed", "Perhaps", "Rather",
    "Quite", "Very", "Already", "Always", "Never", "Often", "Sometimes", "Usually", "Again",
    "Still", "Soon", "Later", "Earlier", "Firstly", "Secondly", "Thirdly", "Finally", "Lastly",
    "Next", "Last", "First", "Second", "Third", "Whilst", "Amid", "Amidst", "Onto", "Into",
)

WEEKDAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays",
    "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
)

MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
MONTH_ABBREVIATIONS: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
)

TITLES: tuple[str, ...] = (
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.", "Mx.", "Prof", "Prof.",
    "Professor", "Master",
)

# Common given names and surnames in England and Wales (a starting list; projects add their own).
FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Abdul", "Abigail", "Adam", "Adrian", "Ahmed", "Aidan", "Aisha", "Alan", "Alex",
    "Alexander", "Alfie", "Ali", "Alice", "Alison", "Amanda", "Amelia", "Amir", "Amy", "Andrew",
    "Andy", "Angela", "Ann", "Anna", "Anne", "Anthony", "Archie", "Arthur", "Ashley", "Ava",
    "Barry", "Ben", "Benjamin", "Beth", "Bethany", "Bilal", "Bradley", "Brandon", "Brian",
    "Callum", "Cameron", "Carl", "Caroline", "Charlie", "Charlotte", "Chloe", "Chris",
    "Christopher", "Claire", "Colin", "Connor", "Craig", "Dale", "Daniel", "Danny", "Darren",
    "Dave", "David", "Dean", "Debbie", "Declan", "Dylan", "Elizabeth", "Ella", "Ellie", "Emily",
    "Emma", "Ethan", "Faisal", "Fatima", "Finley", "Freya", "Gareth", "Gary", "Gemma", "George",
    "Georgia", "Graham", "Hannah", "Harry", "Harvey", "Hassan", "Hayley", "Helen", "Ian",
    "Imran", "Isaac", "Isabella", "Jack", "Jacob", "Jade", "James", "Jamie", "Jane", "Jason",
    "Jayden", "Jennifer", "Jessica", "Joanne", "Joe", "Joel", "John", "Jonathan", "Jordan",
    "Joseph", "Josh", "Joshua", "Julie", "Karen", "Kate", "Katie", "Kayleigh", "Keith", "Kelly",
    "Kevin", "Kieran", "Kyle", "Laura", "Lauren", "Leah", "Lee", "Leon", "Lewis", "Liam", "Lily",
    "Lisa", "Logan", "Louise", "Luke", "Mark", "Martin", "Mason", "Matthew", "Megan", "Michael",
    "Michelle", "Mohammed", "Mohammad", "Muhammad", "Nathan", "Neil", "Nicola", "Nicole",
    "Oliver", "Olivia", "Oscar", "Owen", "Patrick", "Paul", "Peter", "Philip", "Rachel", "Reece",
    "Rebecca", "Rhys", "Richard", "Robert", "Ryan", "Sam", "Samantha", "Samuel", "Sandra",
    "Sarah", "Scott", "Sean", "Shane", "Sharon", "Simon", "Sophie", "Stacey", "Stephen",
    "Steven", "Stuart", "Susan", "Thomas", "Tom", "Tony", "Tracey", "Tyler", "Usman", "Victoria",
    "Wayne", "William", "Yusuf", "Zara", "Zoe",
    "Abbie", "Aimee", "Alisha", "Amber", "Amir", "Aneesa", "Asif", "Ayesha", "Becky", "Billy",
    "Bobby", "Brooke", "Carly", "Casey", "Chelsea", "Ciaran", "Clare", "Courtney", "Curtis",
    "Dana", "Danielle", "Darren", "Dean", "Demi", "Denise", "Dominic", "Donna", "Duncan",
    "Eleanor", "Elliot", "Emily", "Eve", "Gavin", "Gordon", "Hamza", "Holly", "Hollie", "Jake",
    "Jasmine", "Jay", "Jenna", "Jodie", "Jolene", "Kai", "Kerry", "Kirsty", "Lacey", "Leanne",
    "Lindsay", "Lucy", "Lydia", "Marcus", "Mariam", "Maria", "Marie", "Mia", "Mohamed", "Molly",
    "Nadia", "Naomi", "Natalie", "Niall", "Nina", "Paige", "Pauline", "Rachael", "Raj", "Rebekah",
    "Ricky", "Rikki", "Robbie", "Rosie", "Ross", "Sadia", "Saima", "Shannon", "Shaun", "Sian",
    "Sonia", "Stacy", "Steph", "Tanya", "Terry", "Toby", "Tyrone", "Vicky", "Wesley", "Yasmin",
)

SURNAMES: tuple[str, ...] = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner",
    "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker",
    "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker",
    "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson",
    "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan",
    "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster",
    "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell",
    "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler",
    "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Ahmed",
    "Kaur", "Kowalski", "Nowak", "Popescu", "Ahmed", "O'Brien", "O'Connor", "McDonald",
)

# Towns and places outside the PDU names that often appear in addresses.
PLACES: tuple[str, ...] = (
    "London", "Manchester", "Liverpool", "Leeds", "Bradford", "Newcastle", "Sunderland",
    "Middlesbrough", "Nottingham", "Coventry", "Wolverhampton", "Stoke-on-Trent", "Cardiff",
    "Newport", "Maidstone", "Chatham", "Gillingham", "Rochester", "Tonbridge", "Sevenoaks",
    "Gravesend", "Dartford", "Crawley", "Worthing", "Chichester", "Horsham", "Colchester",
    "Chelmsford", "Clacton", "Harwich", "Northampton", "Kettering", "Corby", "Wellingborough",
    "Stafford", "Tamworth", "Burton", "Nuneaton", "Rugby", "Leamington", "Solihull", "Sutton",
    "Erdington", "Acton", "Southall", "Hayes", "Uxbridge", "Jarrow", "Hebburn", "Gateshead",
    "Huddersfield", "Dewsbury", "Batley", "Rotherham", "Barnsley", "Doncaster", "Beverley",
    "Goole", "Bridlington", "Burnley", "Lancaster", "Morecambe", "Accrington", "Ashton",
    "Hyde", "Stalybridge", "Leigh", "Darwen", "Carlisle", "Barrow", "Kendal", "Workington",
    "Whitehaven", "Southsea", "Ryde", "Newport", "Taunton", "Yeovil", "Bridgwater",
    "Bournemouth", "Poole", "Weymouth", "Dorchester", "Bath", "Weston-super-Mare",
    "Neath", "Port Talbot", "Llanelli", "Merthyr", "Pontypool", "Cwmbran", "Abergavenny",
    "Burton upon Trent", "Newcastle upon Tyne", "Kingston upon Hull", "Kingston upon Thames",
    "Clacton-on-Sea", "Southend-on-Sea", "Leigh-on-Sea", "Stratford-upon-Avon",
    "Berwick-upon-Tweed", "Ashton-under-Lyne", "Newcastle-under-Lyme",
)

# Street and address words: "<Capitalised> Road" and "12 <Capitalised> Close" are places.
STREET_SUFFIXES: tuple[str, ...] = (
    "Road", "Street", "Avenue", "Lane", "Close", "Drive", "Crescent", "Gardens", "Terrace",
    "Grove", "Way", "Place", "Square", "Walk", "Mews", "Rise", "Hill", "View", "Park", "Estate",
    "Row", "Parade", "Green",
)
