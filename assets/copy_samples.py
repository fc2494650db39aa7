"""Synthetic copywriter portfolios: client briefs and the copy each writer wrote for them.

Every writer has a fixed voice built from their own phrase banks; products, audiences and
features are shared so that the voice, not the topic, tells writers apart.
"""

import random
import re
from functools import partial
from string import Formatter

WRITERS = {
    "playful": "Warm, playful DTC brand copy: short punchy lines, 'you', em-dashes, a wink, "
               "opens with a question and ends 'Go on, ...'.",
    "formal": "Measured B2B copy: long third-person sentences about organisations, data and "
              "outcomes, semicolons, never an exclamation.",
    "lyrical": "Slow, poetic lifestyle copy: long flowing sentences full of commas, sensory "
               "imagery and nature metaphors.",
    "technical": "Crisp developer-tool copy: short spec lines, numbers, imperative verbs and "
                 "code-adjacent words.",
    "plainspoken": "Plain corporate-brochure copy: short neutral statements about the product, "
                   "no flourishes, no questions, no exclamations.",
    "salesy": "Hard-sell direct-response copy: CAPS, urgency, discounts, stacked exclamation "
              "marks and a countdown.",
}

# name, short, slug, category, audiences, features, outcomes, pains, senses, specs
PRODUCTS = (
    {"name": "cold-brew coffee subscription", "short": "cold brew", "slug": "coldbrew",
     "category": "coffee",
     "audiences": ("busy commuters", "remote workers", "night-shift nurses"),
     "features": ("beans roasted in small batches every week", "a slow overnight steep",
                  "recyclable glass bottles", "deliveries you can pause anytime"),
     "outcomes": ("smoother mornings", "fewer café queues", "steadier afternoons"),
     "pains": ("lukewarm office coffee", "the eight-minute queue for a flat white"),
     "senses": ("dark chocolate notes", "the clink of ice in a tall glass",
                "a silky, low-acid finish"),
     "specs": (("Steep time", 12, 24, " h"), ("Caffeine per bottle", 90, 180, " mg"),
               ("Shelf life", 10, 21, " days"))},
    {"name": "trail running shoe", "short": "trail shoes", "slug": "trailshoe",
     "category": "running",
     "audiences": ("weekend trail runners", "ultra-marathon first-timers",
                   "city joggers who secretly crave mud"),
     "features": ("a grippy lugged outsole", "a rock plate tucked under the forefoot",
                  "a breathable knit upper", "a cushioned foam midsole"),
     "outcomes": ("surer footing on wet roots", "fresher legs at the finish",
                  "longer runs without blisters"),
     "pains": ("blisters at mile six", "slipping on every wet descent"),
     "senses": ("the crunch of gravel underfoot", "cool air on a steep climb",
                "the spring of fresh foam"),
     "specs": (("Drop", 4, 8, " mm"), ("Weight", 240, 310, " g"), ("Lug depth", 3, 6, " mm"))},
    {"name": "CRM platform for small agencies", "short": "CRM", "slug": "agencycrm",
     "category": "sales software",
     "audiences": ("agency founders", "account managers", "small sales teams"),
     "features": ("a pipeline view that updates itself", "automatic email logging",
                  "shared client timelines", "one-click proposal templates"),
     "outcomes": ("faster follow-ups", "cleaner handovers between teams",
                  "fewer deals lost to forgotten emails"),
     "pains": ("spreadsheets held together with hope", "chasing leads across five inboxes"),
     "senses": ("the quiet satisfaction of an empty inbox", "a pipeline that finally makes sense",
                "the ping of a signed proposal"),
     "specs": (("Setup time", 5, 20, " min"), ("Integrations", 40, 120, ""),
               ("Sync latency", 200, 900, " ms"))},
    {"name": "neighbourhood sourdough bakery", "short": "sourdough", "slug": "sourdough",
     "category": "bread",
     "audiences": ("early risers", "families on weekend mornings", "local cafés"),
     "features": ("a forty-year-old starter", "loaves baked before sunrise",
                  "stone-ground local flour", "a long two-day fermentation"),
     "outcomes": ("breakfasts worth getting up for", "a fuller bread basket",
                  "bread that stays fresh all week"),
     "pains": ("sad supermarket sliced bread", "crusts that bend instead of crackle"),
     "senses": ("a crackling golden crust", "the smell of warm bread at dawn",
                "a soft, open crumb"),
     "specs": (("Fermentation", 36, 48, " h"), ("Hydration", 72, 85, "%"),
               ("Oven temperature", 240, 260, " °C"))},
    {"name": "yoga studio", "short": "practice", "slug": "yogastudio", "category": "yoga",
     "audiences": ("desk-bound professionals", "complete beginners", "new parents"),
     "features": ("small classes with real attention", "a heated room for slow flow",
                  "teachers who learn your name", "mats and props provided"),
     "outcomes": ("looser shoulders", "calmer evenings", "deeper sleep"),
     "pains": ("a back that aches by Wednesday", "crowded classes where nobody notices you"),
     "senses": ("warm wooden floors", "the hush before the first breath",
                "a room lit by candles"),
     "specs": (("Class size", 8, 14, " people"), ("Session length", 45, 75, " min"),
               ("Room temperature", 26, 32, " °C"))},
    {"name": "independent bike shop", "short": "bike", "slug": "bikeshop", "category": "cycling",
     "audiences": ("daily bike commuters", "weekend road riders", "families buying a first bike"),
     "features": ("same-day tune-ups", "custom wheel builds",
                  "honest advice without the upsell", "a loaner bike while yours is in the stand"),
     "outcomes": ("smoother gear changes", "fewer roadside repairs", "rides that feel brand new"),
     "pains": ("a chain that squeaks on every climb", "waiting a fortnight for a simple repair"),
     "senses": ("the tick of a freewheel", "the smell of fresh chain oil",
                "a gear change that just clicks"),
     "specs": (("Service turnaround", 1, 3, " days"), ("Wheel true tolerance", 1, 3, " mm"),
               ("Parts in stock", 800, 2500, ""))},
    {"name": "vitamin C face serum", "short": "serum", "slug": "vitcserum",
     "category": "skincare",
     "audiences": ("skincare minimalists", "anyone with dull winter skin",
                   "people with sensitive skin"),
     "features": ("stabilised vitamin C", "a lightweight water-based texture",
                  "fragrance-free ingredients", "an airless pump bottle"),
     "outcomes": ("brighter mornings in the mirror", "a more even tone",
                  "skin that feels plumper"),
     "pains": ("tired, dull skin", "serums that sting and smell like oranges"),
     "senses": ("a cool, silky drop", "skin that glows without shine",
                "a clean, barely-there finish"),
     "specs": (("Vitamin C", 10, 20, "%"), ("pH", 3, 4, ""), ("Volume", 30, 50, " ml"))},
    {"name": "SaaS analytics dashboard", "short": "dashboard", "slug": "pulsemetrics",
     "category": "product analytics",
     "audiences": ("product managers", "growth teams", "data-curious founders"),
     "features": ("real-time funnel tracking", "cohort reports built in seconds",
                  "alerts when a metric drifts", "a query builder that needs no SQL"),
     "outcomes": ("decisions backed by live data", "shorter weekly reporting",
                  "earlier warning on churn"),
     "pains": ("dashboards nobody trusts", "waiting a week for a data request"),
     "senses": ("a chart that finally tells the story", "the calm of knowing your numbers",
                "a funnel lit up in real time"),
     "specs": (("Event ingestion", 50000, 500000, "/s"), ("Query p95", 80, 400, " ms"),
               ("Data retention", 12, 36, " months"))},
    {"name": "boutique seaside hotel", "short": "stay", "slug": "seasidehotel",
     "category": "hospitality",
     "audiences": ("couples on a long weekend", "remote workers craving sea air",
                   "families escaping the city"),
     "features": ("rooms that open onto the dunes", "breakfast served until noon",
                  "a rooftop sauna", "bikes to borrow for the coast road"),
     "outcomes": ("slower mornings", "proper rest", "weekends that feel twice as long"),
     "pains": ("cookie-cutter chain hotels", "checking out more tired than you arrived"),
     "senses": ("salt on the breeze", "linen warmed by the afternoon sun",
                "waves heard from the pillow"),
     "specs": (("Rooms", 12, 24, ""), ("Distance to beach", 40, 200, " m"),
               ("Check-out", 11, 13, ":00"))},
    {"name": "plant-based meal kit", "short": "dinner", "slug": "greenkit", "category": "food",
     "audiences": ("busy couples", "curious flexitarians", "students learning to cook"),
     "features": ("pre-measured seasonal produce", "recipe cards that take thirty minutes",
                  "compostable packaging", "a menu that changes every week"),
     "outcomes": ("weeknights without the takeaway guilt", "less food waste",
                  "more vegetables without trying"),
     "pains": ("staring into an empty fridge at seven", "the same three pasta dishes on repeat"),
     "senses": ("the sizzle of garlic in a hot pan", "herbs bright enough to smell from the hall",
                "a bowl full of colour"),
     "specs": (("Cook time", 20, 35, " min"), ("Recipes per week", 8, 16, ""),
               ("Protein per serving", 18, 32, " g"))},
    {"name": "noise-cancelling headphones", "short": "headphones", "slug": "quietpro",
     "category": "audio",
     "audiences": ("open-plan office workers", "frequent flyers", "focused students"),
     "features": ("adaptive noise cancelling", "memory-foam ear cushions",
                  "a battery that outlasts long-haul flights", "a fold-flat travel design"),
     "outcomes": ("deep focus on demand", "quieter commutes", "flights that feel shorter"),
     "pains": ("the open-plan office hum", "a toddler kicking the back of your seat"),
     "senses": ("the hush when the cancelling kicks in", "bass you can feel",
                "cushions soft as a pillow"),
     "specs": (("Battery life", 30, 50, " h"), ("Weight", 220, 290, " g"),
               ("Noise reduction", 28, 38, " dB"))},
    {"name": "language-learning app", "short": "lessons", "slug": "lingoloop",
     "category": "education",
     "audiences": ("holiday planners", "expats settling in", "lifelong learners"),
     "features": ("bite-sized daily lessons", "speech practice with instant feedback",
                  "offline mode for the commute", "stories graded to your level"),
     "outcomes": ("real conversations sooner", "a daily habit that sticks",
                  "confidence ordering in another language"),
     "pains": ("forgetting everything after school French", "apps that feel like homework"),
     "senses": ("the thrill of understanding a stranger", "a streak that keeps glowing",
                "words that finally click"),
     "specs": (("Lesson length", 3, 10, " min"), ("Languages", 12, 30, ""),
               ("Offline storage", 80, 250, " MB"))},
    {"name": "craft gin distillery", "short": "gin", "slug": "harbourgin", "category": "spirits",
     "audiences": ("cocktail lovers", "gift hunters", "weekend hosts"),
     "features": ("botanicals foraged along the coast", "small copper-pot batches",
                  "hand-numbered bottles", "tours with a tasting flight"),
     "outcomes": ("a signature serve for your next party", "a gift people actually remember",
                  "evenings with a little more sparkle"),
     "pains": ("the same supermarket gin at every party", "gifts that end up in a drawer"),
     "senses": ("bright juniper and sea salt", "a twist of pink grapefruit",
                "the fizz of tonic over ice"),
     "specs": (("ABV", 40, 47, "%"), ("Botanicals", 8, 14, ""),
               ("Batch size", 200, 600, " bottles"))},
    {"name": "co-working space", "short": "desk", "slug": "deskhub", "category": "workspace",
     "audiences": ("freelancers", "start-up teams", "remote employees"),
     "features": ("fast fibre broadband", "bookable meeting rooms", "a community kitchen",
                  "phone booths for quiet calls"),
     "outcomes": ("more focused workdays", "new collaborators",
                  "a clear line between work and home"),
     "pains": ("working from the sofa", "the café that glares after your third hour"),
     "senses": ("coffee brewing at the community bar", "sunlight across long oak desks",
                "the low buzz of people building things"),
     "specs": (("Download speed", 500, 1000, " Mbps"), ("Desks", 60, 180, ""),
               ("Opening hours", 12, 24, " h/day"))},
    {"name": "fresh dog food delivery", "short": "dog's dinner", "slug": "goodbowl",
     "category": "pet food",
     "audiences": ("dog owners", "new puppy parents", "owners of fussy eaters"),
     "features": ("human-grade ingredients", "portions tailored to your dog's weight",
                  "recipes developed with vets", "freezer-friendly packs"),
     "outcomes": ("shinier coats", "cleaner bowls", "happier vet visits"),
     "pains": ("mystery-meat kibble", "a fussy eater who sniffs and walks away"),
     "senses": ("a wagging tail at dinner time", "the sound of an empty bowl being nudged",
                "real chunks of chicken and carrot"),
     "specs": (("Protein", 28, 40, "%"), ("Recipes", 4, 8, ""),
               ("Freezer life", 3, 6, " months"))},
    {"name": "smart thermostat", "short": "thermostat", "slug": "thermoiq",
     "category": "smart home",
     "audiences": ("homeowners", "renters who hate high bills", "gadget lovers"),
     "features": ("room-by-room scheduling", "an app that learns your routine",
                  "geofencing that knows when you leave", "energy reports each month"),
     "outcomes": ("lower heating bills", "a warm house when you walk in",
                  "fewer arguments about the dial"),
     "pains": ("heating an empty house", "bills that spike every January"),
     "senses": ("a warm floor on a cold morning", "the quiet click of the boiler",
                "a living room that feels just right"),
     "specs": (("Energy saving", 10, 25, "%"), ("Install time", 20, 45, " min"),
               ("Sensors supported", 8, 32, ""))},
    {"name": "ceramic cookware set", "short": "pans", "slug": "claypan", "category": "cookware",
     "audiences": ("home cooks", "newlyweds setting up a kitchen",
                   "anyone tired of flaking non-stick"),
     "features": ("a non-toxic ceramic coating", "riveted stay-cool handles",
                  "oven-safe bodies", "colours worth leaving on the hob"),
     "outcomes": ("eggs that slide right off", "quicker washing up",
                  "dinners that look as good as they taste"),
     "pains": ("flaking non-stick", "handles that scorch your fingers"),
     "senses": ("butter foaming in a warm pan", "a glossy sage-green finish",
                "the weight of a pan that means business"),
     "specs": (("Oven safe to", 220, 260, " °C"), ("Pieces", 5, 10, ""),
               ("Base thickness", 4, 6, " mm"))},
    {"name": "project management tool", "short": "board", "slug": "taskflow",
     "category": "productivity software",
     "audiences": ("remote teams", "creative studios", "operations leads"),
     "features": ("kanban boards with dependencies", "automated status updates",
                  "time tracking built into every task", "a timeline view for launches"),
     "outcomes": ("fewer status meetings", "launches that land on time",
                  "clear ownership of every task"),
     "pains": ("status meetings that could have been a message", "tasks lost in chat threads"),
     "senses": ("a board that turns green by Friday", "the relief of a clear timeline",
                "the click of a task marked done"),
     "specs": (("API rate limit", 600, 2000, " req/min"), ("Integrations", 30, 90, ""),
               ("Uptime SLA", 99, 99, ".9%"))},
    {"name": "home fitness app", "short": "workouts", "slug": "fitloop", "category": "fitness",
     "audiences": ("busy parents", "gym-shy beginners", "travellers who train in hotel rooms"),
     "features": ("no-equipment routines", "coaches who explain every move",
                  "plans that adapt to your progress", "workouts that fit a lunch break"),
     "outcomes": ("more energy by mid-afternoon", "a routine you actually keep",
                  "stronger mornings"),
     "pains": ("gym memberships gathering dust",
               "workouts designed for people who already love workouts"),
     "senses": ("the burn of the last rep", "a playlist that pushes you",
                "that post-workout glow"),
     "specs": (("Workout length", 10, 30, " min"), ("Exercises in library", 300, 900, ""),
               ("Offline downloads", 20, 60, ""))},
    {"name": "artisan chocolate box", "short": "chocolate", "slug": "cocoabox",
     "category": "chocolate",
     "audiences": ("gift givers", "dessert devotees", "office teams celebrating a win"),
     "features": ("single-origin cacao", "hand-painted bonbons",
                  "flavours that change with the season", "a box that arrives gift-ready"),
     "outcomes": ("gifts that get remembered", "a little luxury on a Tuesday",
                  "applause at the end of dinner"),
     "pains": ("waxy supermarket chocolate", "last-minute petrol-station gifts"),
     "senses": ("a snap that echoes", "salted caramel that melts slowly",
                "the scent of roasted cacao"),
     "specs": (("Cacao content", 55, 85, "%"), ("Pieces per box", 9, 24, ""),
               ("Best before", 4, 8, " weeks"))},
    {"name": "mountain cabin retreat", "short": "cabin", "slug": "pinecabin", "category": "travel",
     "audiences": ("couples needing a reset", "writers chasing quiet",
                   "hikers planning a long weekend"),
     "features": ("a wood-burning stove", "floor-to-ceiling views of the valley",
                  "trails starting at the front door", "no Wi-Fi by design"),
     "outcomes": ("a proper digital detox", "long conversations by the fire",
                  "sleep without an alarm"),
     "pains": ("a phone that never stops buzzing", "holidays that need a holiday afterwards"),
     "senses": ("pine smoke curling from the chimney", "frost on the window at dawn",
                "the crackle of a fire at night"),
     "specs": (("Altitude", 900, 1600, " m"), ("Sleeps", 2, 6, ""), ("Nearest road", 1, 3, " km"))},
    {"name": "payroll software", "short": "payroll", "slug": "payday",
     "category": "finance software",
     "audiences": ("small business owners", "HR managers", "finance teams"),
     "features": ("automatic tax filings", "self-service payslips", "approvals from your phone",
                  "integrations with your accounting tools"),
     "outcomes": ("payroll done in minutes", "fewer compliance headaches",
                  "employees paid on time, every time"),
     "pains": ("late-night spreadsheet reconciliations", "tax deadlines that sneak up"),
     "senses": ("the calm of a closed pay run", "an inbox free of payslip questions",
                "a dashboard that balances"),
     "specs": (("Pay run time", 5, 15, " min"), ("Employees supported", 500, 5000, ""),
               ("Audit log retention", 5, 10, " years"))},
    {"name": "loose-leaf tea club", "short": "tea", "slug": "leafclub", "category": "tea",
     "audiences": ("tea lovers", "people cutting back on coffee", "curious gift buyers"),
     "features": ("single-estate teas each month", "tasting notes from the grower",
                  "a reusable tin to keep", "brewing guides for every leaf"),
     "outcomes": ("a calmer afternoon ritual", "a shelf of new favourites",
                  "mornings with less caffeine jitter"),
     "pains": ("dusty tea bags", "the same builder's brew every day"),
     "senses": ("steam rising from a porcelain cup", "a honeyed, floral aroma",
                "leaves unfurling in hot water"),
     "specs": (("Brew temperature", 70, 95, " °C"), ("Steep time", 2, 5, " min"),
               ("Teas per box", 3, 6, ""))},
    {"name": "eco cleaning refill kit", "short": "refills", "slug": "refillco",
     "category": "home care",
     "audiences": ("eco-minded households", "flat-sharers", "families with small children"),
     "features": ("concentrated tablets that dissolve in water", "forever glass spray bottles",
                  "plant-based formulas", "plastic-free letterbox delivery"),
     "outcomes": ("a cupboard free of plastic clutter", "a home that smells fresh, not chemical",
                  "less waste every month"),
     "pains": ("cupboards full of half-empty plastic bottles", "sprays that leave you coughing"),
     "senses": ("a hint of eucalyptus", "gleaming worktops",
                "a bathroom that smells like a garden"),
     "specs": (("Plastic saved per year", 2, 8, " kg"), ("Refill tablets", 10, 30, ""),
               ("Dissolve time", 3, 10, " min"))},
    {"name": "online pottery course", "short": "clay", "slug": "wheelschool",
     "category": "crafts",
     "audiences": ("creative beginners", "people craving screen-free evenings",
                   "hobbyists with a garage studio"),
     "features": ("step-by-step video lessons", "live feedback sessions",
                  "a starter kit posted to your door", "a community gallery of student work"),
     "outcomes": ("a first bowl you are proud of", "evenings away from screens",
                  "a new hobby that sticks"),
     "pains": ("evenings lost to scrolling", "classes booked out months ahead"),
     "senses": ("cool, wet clay spinning under your palms", "the smell of a kiln firing",
                "a glaze that surprises you"),
     "specs": (("Video lessons", 20, 48, ""), ("Lesson length", 10, 25, " min"),
               ("Kit weight", 3, 6, " kg"))},
    {"name": "password manager", "short": "vault", "slug": "keyvault",
     "category": "security software",
     "audiences": ("security-conscious families", "IT admins", "small teams sharing logins"),
     "features": ("end-to-end encryption", "autofill across every device",
                  "secure sharing for teams", "breach alerts in real time"),
     "outcomes": ("one less thing to remember", "safer logins", "onboarding without sticky notes"),
     "pains": ("passwords on sticky notes", "resetting the same login every month"),
     "senses": ("the click of an instant autofill", "peace of mind at every login",
                "a green padlock every time"),
     "specs": (("Encryption", 256, 256, "-bit AES"), ("Devices", 5, 20, ""),
               ("Autofill latency", 50, 200, " ms"))},
    {"name": "farm-to-table restaurant", "short": "table", "slug": "fieldkitchen",
     "category": "dining",
     "audiences": ("food lovers", "couples celebrating", "groups planning a long lunch"),
     "features": ("a menu written each morning", "vegetables from our own farm",
                  "natural wines from small growers", "an open kitchen you can watch"),
     "outcomes": ("meals people talk about for weeks", "an easy date night",
                  "long lunches that drift into dinner"),
     "pains": ("menus that never change", "chain restaurants where everything tastes the same"),
     "senses": ("charred leeks and brown butter", "bread torn warm at the table",
                "the glow of candles on linen"),
     "specs": (("Farm-to-plate distance", 5, 30, " km"), ("Seats", 30, 60, ""),
               ("Menu changes per week", 5, 7, ""))},
    {"name": "merino wool base layer", "short": "base layer", "slug": "merinolayer",
     "category": "outdoor clothing",
     "audiences": ("hikers", "winter cyclists", "skiers"),
     "features": ("ultra-fine merino wool", "flatlock seams that never rub",
                  "odour resistance for multi-day trips", "a cut that layers under anything"),
     "outcomes": ("warmth without bulk", "fewer changes of clothes on trips",
                  "comfort from trailhead to pub"),
     "pains": ("itchy wool jumpers", "synthetic tops that smell after one day"),
     "senses": ("soft wool against cold skin", "the warmth of a sunlit ridge",
                "a fabric that breathes"),
     "specs": (("Fibre diameter", 16, 19, " micron"), ("Fabric weight", 150, 250, " gsm"),
               ("Wash cycles tested", 50, 100, ""))},
)

# Shared word banks, keyed by the template field that draws from them.
BANKS = {
    "nature": ("mist lifting from a slow river", "the tide returning to a quiet shore",
               "late light moving across a wheat field", "the first rain after a long summer",
               "snow settling on a sleeping orchard", "wind combing through tall grass",
               "moss gathering on an old stone wall", "a hawthorn hedge coming into blossom",
               "fog unspooling from a valley at dawn", "swallows circling above a barley field",
               "a heron waiting at the water's edge", "pollen drifting through an open window"),
    "time": ("dawn", "the first grey light", "the last of the afternoon", "dusk",
             "a long Sunday breakfast", "the blue hour", "the evening's first lamp"),
    "season": ("slow winter mornings", "long summer evenings", "the turning of autumn",
               "the first mild days of spring", "the quiet weeks of January",
               "the golden end of September"),
    "metric": ("operational efficiency", "employee satisfaction", "customer retention",
               "time-to-value", "service reliability", "cost per outcome", "productivity",
               "stakeholder engagement", "forecast accuracy"),
    "cost": ("operating costs", "administrative overhead", "unplanned expenditure",
             "staff turnover", "procurement cycle time", "support requests"),
    "region": ("the United Kingdom and Ireland", "Northern Europe", "North America",
               "the Asia-Pacific region", "the DACH region", "Scandinavia and the Benelux"),
    "stakeholder": ("boards", "finance committees", "regulators", "investors",
                    "senior leadership", "procurement teams"),
    "objective": ("sustainability targets", "cost efficiency", "workforce wellbeing",
                  "customer retention", "risk reduction", "long-term growth"),
    "cadence": ("monthly", "quarterly", "fortnightly", "weekly"),
    "channel": ("web, iOS and Android", "REST API and webhooks", "CLI, dashboard or API",
                "app, web or in person", "SDKs for Python, Go and TypeScript"),
    "techcost": ("setup time", "config", "overhead", "manual work", "context switching",
                 "boilerplate"),
    "plan": ("starter", "pro", "team", "weekly", "monthly", "annual"),
}

VOICES = {
    "playful": {
        "target": (70, 125), "joiner": " ",
        "openers": (
            "Ever wished {outcome} came without the effort?",
            "Who says {audience} can't have {outcome}?",
            "Tired of {pain}?",
            "Quick question — when did {pain} become normal?",
            "Ready for {outcome}?",
            "Psst, {audience} — got a sec?",
            "What if your {short} could do a little more?",
            "Remember when putting up with {pain} was just how things were?",
            "Fancy {outcome}, minus the fuss?",
            "Be honest — how's your {short} treating you?",
        ),
        "body": (
            "Meet our {name} — {feature}, plus a little magic.",
            "Think {sense}, think {feature}, think happy.",
            "{Feature}, yep — and {feature2}, too!",
            "It's {sense} — and it's all yours.",
            "First you'll notice {outcome} — then you'll wonder how you lived without your {short}.",
            "No fuss, no faff — just {feature}.",
            "Say goodbye to {pain} — and hello to {outcome}!",
            "Close your eyes and picture {sense}.",
            "We sweated the small stuff — {feature}, for starters.",
            "Honestly, you deserve {outcome}.",
            "Your {short} just got a glow-up — hello, {feature}!",
            "Built for {audience} who want {outcome} — and a bit of fun along the way.",
            "Go ahead, brag about {feature} — we won't tell.",
            "Yes, {audience} — this one has {feature} written all over it.",
            "Swap {pain} for {sense} — deal?",
            "Tiny detail, big difference — {feature}.",
        ),
        "extras": (
            ("Somewhere, your old {short} just got a little jealous — sorry, not sorry.",
             "We won't judge if {audience} start doing a happy dance.",
             "Side effects may include {outcome} and uncontrollable smugness.",
             "Warning — {sense} may cause spontaneous grinning.",
             "Fair warning — once you try {feature}, there's no going back.",
             "Your group chat is about to hear a lot about {feature}."),
            ("Over {num} {audience} already made the switch!",
             "Rated {rating} stars by people who are seriously picky about {category}.",
             "{num} happy customers and counting — yes, we counted twice.",
             "Our {category} regulars keep leaving {rating}-star reviews — we're blushing!"),
        ),
        "closers": (
            "Go on, treat yourself — your {short} is waiting.",
            "Go on — grab your {short}.",
            "Go on, say yes to {outcome}.",
            "Go on, give your {short} a little love.",
            "Go on, you've earned {outcome}.",
            "Go on, hit the button and say hello to {outcome}.",
            "Go on, treat yourself to {feature}.",
        ),
        "kinds": ("launch copy", "homepage copy", "product-page copy", "social ad copy",
                  "launch-email copy", "newsletter copy"),
        "tones": ("fun", "cheeky", "warm and playful", "upbeat", "light-hearted"),
    },
    "formal": {
        "target": (85, 150), "joiner": " ", "third_person": True,
        "openers": (
            "For organisations whose people include {audience}, {outcome} is no longer a "
            "discretionary benefit; it has become a measurable expectation that shapes "
            "retention and performance.",
            "The {name} has been developed for organisations that require {outcome} while "
            "preserving governance, cost control and consistency of quality.",
            "Across the {category} sector, organisations are reassessing how they deliver "
            "{outcome} to {audience}; the {name} offers a robust and scalable response.",
            "In an environment where stakeholders increasingly expect {outcome}, organisations "
            "require a partner capable of delivering consistently, transparently and at scale.",
            "Recent market analysis indicates that {pct}% of organisations regard {pain} as a "
            "material operational risk, yet relatively few have implemented a structured remedy.",
            "Organisations serving {audience} face a familiar challenge in {pain}, a problem "
            "that steadily erodes both productivity and stakeholder confidence.",
        ),
        "body": (
            "The offering combines {feature} with {feature2}, thereby providing stakeholders "
            "with a robust foundation for planning, procurement and long-term investment.",
            "Independent assessments indicate an improvement of {pct}% in {metric} within the first "
            "{months} months of adoption, with benefits compounding as usage matures.",
            "The inclusion of {feature} ensures that {outcome} can be achieved reliably; moreover, "
            "the model remains scalable as organisational requirements evolve.",
            "Crucially, the solution addresses {pain}, a persistent concern for {stakeholder} "
            "and operational managers alike.",
            "Organisations that have adopted the approach report {outcome}, alongside a "
            "reduction of {pct}% in {cost}.",
            "Implementation of {feature} is structured in clearly defined phases; progress "
            "against {metric} is reported to stakeholders on a {cadence} basis.",
            "Furthermore, the provision of {feature} has been designed with compliance and "
            "auditability in mind, enabling organisations to demonstrate value to {stakeholder} "
            "with confidence.",
            "The result is a robust, scalable proposition that aligns {outcome} with broader "
            "organisational objectives, including {objective}.",
            "Where {pain} has previously constrained performance, the {name} introduces a "
            "measured, evidence-based alternative; early indicators point to an uplift of "
            "{pct}% in {metric}.",
            "Each engagement is supported by a dedicated account lead, who works with "
            "{stakeholder} to ensure that {feature} is embedded in existing processes.",
        ),
        "extras": (
            ("At present, more than {num} organisations across {region} rely on the service; "
             "client retention stands at {pct2}%.",
             "In a recent survey of {num2} stakeholders, {pct2}% rated the {name} as meeting or "
             "exceeding expectations.",
             "Deployments to date span {region}, with an average payback period of {months} "
             "months and measurable gains in {metric}."),
        ),
        "closers": (
            "Organisations wishing to evaluate the {name} are invited to request a consultation, "
            "during which the account team will prepare a tailored assessment of {metric}.",
            "Further detail on the {name}, including case studies and a full breakdown of "
            "{metric}, is available to stakeholders upon request.",
            "To discuss how {outcome} might be delivered to {audience} within existing budgets "
            "and governance frameworks, organisations may arrange a briefing with the account team.",
            "The account team would welcome the opportunity to outline a phased, scalable "
            "implementation tailored to {audience} and the stakeholders who support them.",
        ),
        "kinds": ("brochure copy", "website copy", "case-study copy", "proposal copy",
                  "white-paper intro copy", "product-page copy"),
        "tones": ("professional", "authoritative", "measured", "corporate", "formal"),
    },
    "lyrical": {
        "target": (80, 145), "joiner": " ",
        "openers": (
            "There is a particular hour, just after {time}, when {sense} drifts through the "
            "quiet like {nature}.",
            "Some things cannot be hurried, and {a_name} is one of them, arriving the way "
            "{nature} arrives, softly and all at once.",
            "Imagine {sense}, gentle as {nature}, settling over the day before it has fully begun.",
            "Long before the world wakes, at {time}, there is {sense}, and with it the quiet "
            "promise of {outcome}.",
            "It begins, as the best things do, with {sense}, small and unhurried, like {nature}.",
            "Somewhere between {time} and whatever comes next, {sense} waits for you, patient "
            "as {nature}.",
        ),
        "body": (
            "Here, {feature} unfolds gently, like {nature}, asking nothing of you but your "
            "attention.",
            "It is made for {audience}, for those who linger and notice, who let {outcome} come "
            "to them in its own time.",
            "{Sense}, {sense2}, and somewhere beneath it all, {feature}, steady as a heartbeat.",
            "Every detail, from {feature} to {feature2}, has been shaped slowly, the way a river "
            "shapes a stone.",
            "Let {pain} fall away behind you, like {nature}, until only {sense} remains.",
            "And slowly, almost without noticing, you find {outcome}, the way a garden finds "
            "its colour in {season}.",
            "Through {season} and beyond, {feature} keeps its quiet promise, as constant as "
            "{nature}.",
            "This is {a_name}, yes, but it is also {sense}, an open window, an invitation to "
            "breathe.",
            "Think of {nature}, of {sense}, of {outcome} arriving like an old friend at the door.",
        ),
        "extras": (),
        "closers": (
            "Come, and let your {short} become part of {season}.",
            "Stay a while, and let {outcome} find you, patient as {nature}.",
            "Come slowly, come as you are, and let {sense} do the rest.",
            "Let the day begin here, with {sense}, and with nothing left to prove.",
            "Come in from {season}, and let {feature} welcome you home.",
        ),
        "kinds": ("brand-story copy", "homepage copy", "brochure copy", "advertorial copy",
                  "seasonal campaign copy", "welcome-email copy"),
        "tones": ("evocative", "dreamy", "poetic", "slow and sensory", "atmospheric"),
    },
    "technical": {
        "target": (65, 120), "joiner": "\n",
        "openers": (
            "{Name}: built for {audience}.",
            "Meet {slug} v{major}.{minor}: {feature}, zero config.",
            "{Slug} ships {feature} out of the box.",
            "Stop fighting {pain}; run `{slug} init` instead.",
            "New in {slug} {major}.{minor}: {feature}.",
        ),
        "body": (
            "- {spec}",
            "- {spec}",
            "- {speckey}",
            "Get {outcome} in under {mins} min.",
            "Configure {feature} once ({mins}-min setup), then forget it.",
            "Benchmarked: {pct}% less {techcost} than v{major}.",
            "Access {slug} via {channel}; p95 under {num2} ms.",
            "Eliminates {pain}; no lock-in, no surprises.",
            "Default: {feature}; override via `{slug}.config`.",
            "Used in production by {num} {audience}.",
            "Pipeline: {feature} -> {feature2} -> {outcome}.",
            "Runs {feature}, returns {outcome}.",
            "Docs at {slug}.dev/docs; v{major}.{minor} changelog updated {cadence}.",
            "Scales from {num2} users to {num} without a config change.",
        ),
        "extras": (),
        "closers": (
            "Start now: `{slug} init --plan={plan}`.",
            "Try {slug} free for {days} days.",
            "Read the {slug} docs, then ship.",
            "Deploy {slug} in {mins} min.",
            "Install `{slug}` and run your first {plan} build today.",
        ),
        "kinds": ("product-page copy", "docs landing copy", "release-notes copy",
                  "launch copy", "feature-announcement copy", "README copy"),
        "tones": ("precise", "no-nonsense", "developer-friendly", "crisp and technical",
                  "spec-first"),
    },
    "plainspoken": {
        "target": (70, 130), "joiner": " ",
        "openers": (
            "The {name} is designed for {audience}.",
            "This {category} offer is intended for {audience}.",
            "The {name} is a practical choice for {audience}.",
            "Our {name} is available now.",
            "The {name} helps customers achieve {outcome}.",
        ),
        "body": (
            "It includes {feature}.",
            "It also offers {feature2}.",
            "Customers can expect {outcome}.",
            "The product was developed to reduce {pain}.",
            "The service is provided by a small team with experience in {category}.",
            "Each order includes {feature}.",
            "Many customers report {outcome} after the first few weeks.",
            "The main benefit is {outcome}.",
            "Prices are listed on the website.",
            "Customer support is available by phone and by email.",
            "The product is suitable for {audience}.",
            "Delivery takes between two and five working days.",
            "The company has served customers for {months} years.",
            "More information can be found in the product guide.",
        ),
        "extras": (),
        "closers": (
            "Please contact the sales team for more information.",
            "Further details are available on request.",
            "Orders can be placed on the website.",
            "The team will be happy to answer any questions.",
            "To learn more, please visit the website or call the office.",
        ),
        "kinds": ("brochure copy", "website copy", "product-page copy", "catalogue copy",
                  "flyer copy", "information-sheet copy"),
        "tones": ("neutral", "clear", "straightforward", "informative", "plain"),
    },
    "salesy": {
        "target": (60, 110), "joiner": " ",
        "openers": (
            "ATTENTION {audience}!!! This is the {short} deal you have been waiting for!",
            "STOP SCROLLING! {Name} is finally HERE!",
            "WARNING: this {short} offer ends at MIDNIGHT!!!",
            "HUGE NEWS for {audience}: {pct}% OFF the {name} TODAY ONLY!",
            "Don't miss this! The BEST {category} deal of the YEAR is LIVE!",
        ),
        "body": (
            "Get {feature} for a FRACTION of the price!!",
            "ONLY {num2} left in stock — ACT NOW!",
            "Imagine {outcome}... starting TODAY!",
            "NO MORE {pain}!!! EVER!",
            "PLUS you get {feature2} ABSOLUTELY FREE!",
            "Over {num} buyers can't be wrong!!!",
            "This is NOT a drill: {pct}% OFF everything!",
            "Say goodbye to {pain} FOREVER!!",
            "Limited stock! Once it's gone, it's GONE!",
            "Hurry — prices go UP in {mins} minutes!",
            "BONUS: free shipping on EVERY order!!",
            "100% money-back GUARANTEE — zero risk!",
        ),
        "extras": (),
        "closers": (
            "ORDER NOW before it's too late!!!",
            "CLICK BELOW and claim your {short} TODAY!",
            "Don't wait — BUY NOW!!!",
            "Grab yours NOW while stocks last!!",
            "Act FAST — this offer will NOT be repeated!",
        ),
        "kinds": ("sales-page copy", "promo-email copy", "flash-sale copy", "social ad copy",
                  "landing-page copy", "banner copy"),
        "tones": ("urgent", "high-energy", "hard-sell", "pushy", "excited"),
    },
}

BRIEFS = (
    "{words} words of {kind} for {a_name}, audience: {audience}, tone: {tone}.",
    "Need about {words} words of {kind} for {a_name}. Audience: {audience}. Tone: {tone}.",
    "Could you write {kind} for {a_name}? Roughly {words} words, aimed at {audience}, "
    "tone {tone}.",
    "Brief: {kind}, ~{words} words, for {a_name}. Audience is {audience}; we want it {tone}.",
    "We're launching {a_name} and need {words} words of {kind}. Target audience: {audience}. "
    "Keep the tone {tone}.",
)

THIRD_PERSON = ((r"\byours\b", "theirs"), (r"\byour\b", "their"), (r"\byou are\b", "they are"),
                (r"\bleave you\b", "leave users"), (r"\bnotices you\b", "notices them"),
                (r"\byou\b", "they"))

_POOLED = {"feature": "features", "feature2": "features", "sense": "senses",
           "sense2": "senses", "audience": "audiences", "outcome": "outcomes", "pain": "pains",
           "spec": "specs", "speckey": "specs"}


def write_samples(writer: str, count: int, seed: int = 0) -> list[dict]:
    """Return `count` samples {"title": str, "brief": str, "text": str}: the brief a client gave and the copy the writer wrote for it."""
    if writer not in VOICES:
        raise ValueError(f"unknown writer {writer!r}; known writers: {', '.join(WRITERS)}")
    rng = random.Random(f"{writer}:{seed}")
    return [_sample(VOICES[writer], rng.choice(PRODUCTS), rng) for _ in range(count)]


def word_count(text: str) -> int:
    """Number of words in `text`, ignoring bullets and punctuation."""
    return len(re.findall(r"[\w`][\w'’.`°%/-]*", text))


def _sample(voice: dict, product: dict, rng: random.Random) -> dict:
    pools: dict[str, list] = {}
    if voice.get("third_person"):
        product = {**product, **{key: tuple(_third_person(x) for x in product[key])
                                 for key in ("audiences", "features", "outcomes", "pains")}}
    fill = partial(_fill, product=product, pools=pools, rng=rng)
    opener = fill(rng.choice(voice["openers"]))
    closer = fill(rng.choice(voice["closers"]))
    body_templates = rng.sample(voice["body"], len(voice["body"]))
    extras = [fill(rng.choice(bank)) for bank in voice["extras"] if rng.random() < 0.6]
    target = rng.randint(*voice["target"])
    body: list[str] = []
    for template in body_templates:
        words = word_count(" ".join([opener, *body, *extras, closer]))
        if words >= max(target, 60):
            break
        body.append(fill(template))
    for extra in extras:
        body.insert(rng.randint(1, len(body)), extra)
    while len(body) > 1 and word_count(" ".join([opener, *body, closer])) > 160:
        body.pop()
    text = voice["joiner"].join([opener, *body, closer])
    kind = rng.choice(voice["kinds"])
    return {"title": f"{_cap(product['name'])}: {kind}",
            "brief": _brief(voice, product, kind, text, rng), "text": text}


def _brief(voice: dict, product: dict, kind: str, text: str, rng: random.Random) -> str:
    words = max(10, round(word_count(text) / 10) * 10)
    return rng.choice(BRIEFS).format(
        words=words, kind=kind, a_name=_article(product["name"]),
        audience=rng.choice(product["audiences"]), tone=rng.choice(voice["tones"]))


def _fill(template: str, product: dict, pools: dict, rng: random.Random) -> str:
    values, taken = {}, set()
    for _, field, _, _ in Formatter().parse(template):
        if field and field not in values:
            value = _draw(field.lower(), product, pools, rng, taken)
            taken.add(value)
            values[field] = _cap(value) if field[0].isupper() else value
    return template.format(**values)


def _draw(field: str, product: dict, pools: dict, rng: random.Random, taken: set) -> str:
    if field in _POOLED:
        key = _POOLED[field]
        if not pools.get(key):
            fresh = [item for item in product[key] if item not in taken] or list(product[key])
            pools[key] = rng.sample(fresh, len(fresh))
        item = pools[key].pop()
        if field == "spec":
            return f"{item[0]}: {_spec_value(item, rng)}"
        if field == "speckey":
            return f"`{re.sub(r'[^a-z0-9]+', '_', item[0].lower()).strip('_')}`: " \
                   f"{_spec_value(item, rng)}"
        return item
    if field in BANKS:
        return rng.choice(BANKS[field])
    if field in ("name", "short", "slug", "category"):
        return product[field]
    if field == "a_name":
        return _article(product["name"])
    numbers = {
        "pct": lambda: str(rng.randint(12, 64)),
        "pct2": lambda: str(rng.randint(88, 97)),
        "num": lambda: f"{rng.randrange(1200, 48000, 100):,}",
        "num2": lambda: str(rng.randrange(150, 900, 10)),
        "months": lambda: str(rng.randint(3, 18)),
        "rating": lambda: f"{rng.randint(46, 49) / 10:.1f}",
        "days": lambda: str(rng.choice((7, 14, 21, 30))),
        "mins": lambda: str(rng.randint(2, 15)),
        "major": lambda: str(rng.randint(1, 5)),
        "minor": lambda: str(rng.randint(0, 9)),
    }
    return numbers[field]()


def _spec_value(spec: tuple, rng: random.Random) -> str:
    _, low, high, unit = spec
    return f"{rng.randint(low, high):,}{unit}"


def _third_person(phrase: str) -> str:
    for pattern, replacement in THIRD_PERSON:
        phrase = re.sub(pattern, replacement, phrase)
    return phrase


def _article(name: str) -> str:
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
