"""Demo Steps 4–5 for seed_demo: the criteria options are judged by, the options for each
outcome with their scores and decisions, and the action plan – actions in every status and
term, with owners, milestones, resources, dependencies and partners' updates.

The dates are written as seen on a fixed day, TODAY: some actions are finished, some are
under way, a few are overdue and some have not started yet. Each new action's history of
changes is written as it happened, dated: added (``_added_on``), each update's status and
progress on its day, and a lead's confirmation a week after it was marked complete, so that
what changed in a review's period or a board report's quarter reads true.

Running it again changes nothing: every row is found by its natural key, and an action's
number is allocated only when the action is new.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from actions.demo_money import seed_money
from actions.models import (
    Action,
    Communication,
    Criterion,
    Declaration,
    DueDateProposal,
    ExpectedEffect,
    Milestone,
    Option,
    OptionEffect,
    Scenario,
    Score,
    Spend,
    Stakeholder,
    Update,
)
from improveplan import history
from improveplan.models import Organisation, Plan, User
from outcomes.models import Evidence, ExternalFactor, Outcome, Risk

# The day the demo is written as seen from: the dates below are before or after it.
TODAY = date(2026, 11, 23)

COUNCIL = "Riverside Borough Council"
ICB = "Riverside Integrated Care Board"
HOUSING = "Riverside Community Housing"
POLICE = "Eastshire Police – Riverside district"
CVS = "Riverside Council for Voluntary Service"

PRIYA = "lead@demo.improveplan.test"
TOM = "housing@demo.improveplan.test"
GRACE = "health@demo.improveplan.test"
AUTHORS = {"priya": PRIYA, "tom": TOM, "grace": GRACE}

# Who owns an organisation's actions. The police and the CVS have no one signed in to the demo,
# so their actions have no named owner – and the SMART check says so.
OWNERS = {COUNCIL: PRIYA, ICB: GRACE, HOUSING: TOM}

SMOKING = "Fewer adults smoke"
OLDER = "Older people live independently at home for longer"
HOMES = "Fewer households lose their home"

NOT_STARTED = Action.Status.NOT_STARTED
ON_TRACK = Action.Status.ON_TRACK
AT_RISK = Action.Status.AT_RISK
OFF_TRACK = Action.Status.OFF_TRACK
COMPLETE = Action.Status.COMPLETE
CANCELLED = Action.Status.CANCELLED
QUICK_WIN = Action.Term.QUICK_WIN
SHORT = Action.Term.SHORT
LONG = Action.Term.LONG
CLOSED = Action.Closure.CLOSED
AWAITING = Action.Closure.AWAITING
OPEN = Action.Closure.OPEN

# The plan was drafted in the spring and agreed on 20 April 2026 with its actions; work
# already under way joined it as it began, two weeks before its start or its first update.
DRAFTED = date(2026, 4, 14)
AHEAD = timedelta(days=14)
CONFIRMED_AFTER = timedelta(days=7)  # a lead confirms a completed action a week later

# name, description, weight; in this order.
CRITERIA = [
    (
        "Fit with the partnership's strategy",
        "How well it serves the plan's vision and the partners' own plans.",
        3,
    ),
    (
        "Expected impact on the outcome",
        "How much difference it would make, and for how many people.",
        5,
    ),
    (
        "Added value of working together",
        "Whether it needs more than one partner to work, or works better for it.",
        3,
    ),
    (
        "Affordability and value for money",
        "Whether we can pay for it, and what we get for the money.",
        4,
    ),
    (
        "Capacity to deliver",
        "Whether the partners have the people and the skills to do it.",
        3,
    ),
    (
        "Risk (a higher score means less risk)",
        "How likely it is to go wrong, and how badly. 5 is the safest.",
        2,
    ),
]

# The board met on 12 May 2026 to decide the options.
DECIDED_AT = datetime(2026, 5, 12, 18, 30, tzinfo=UTC)

# Each option: its fields, its scores in the order of CRITERIA, and notes on some scores
# (by position in CRITERIA).
OPTIONS = {
    "clinics": {
        "outcome": SMOKING,
        "kind": Option.Kind.MORE,
        "title": "More stop-smoking clinics in the evenings and at weekends",
        "description": "Extend the community stop-smoking service into evenings and Saturday "
        "mornings in Northfield and Eastgate, where smoking is highest and daytime clinics "
        "are hardest to reach for people at work.",
        "evidence": "Evening clinics in two similar boroughs doubled quit attempts from routine "
        "and manual workers within a year. Four in ten who set a quit date with our service "
        "have stopped four weeks later.",
        "cost": Decimal("440500"),
        "risk_notes": "Advisers may be hard to recruit for evening work; the clinics depend on "
        "the stop-smoking grant, which ends in 2027.",
        "unintended_effects": "Daytime clinics may lose staff to the new sessions; more people "
        "seen may lengthen the wait for nicotine replacement at pharmacies.",
        "plausibility": Option.Plausibility.HIGH,
        "decision": Option.Decision.FAVOURED,
        "decision_reason": "The highest score for this outcome. It builds on a service that "
        "already works, and the ICB will pay for the advisers from its prevention budget.",
        "scores": (5, 5, 3, 3, 4, 4),
        "notes": {
            1: "Reaches the two wards with the highest smoking rates.",
            3: "Six new advisers cost about £186,000 a year, every year.",
        },
    },
    "pregnancy": {
        "outcome": SMOKING,
        "kind": Option.Kind.NEW,
        "title": "Pilot shopping vouchers for pregnant women who stop smoking",
        "description": "Offer pregnant women who smoke up to £400 in shopping vouchers, paid "
        "in stages while carbon monoxide tests show they have stopped.",
        "evidence": "Trials in Scotland and England found that vouchers more than doubled the "
        "share of pregnant women who stopped smoking.",
        "cost": Decimal("45000"),
        "plausibility": Option.Plausibility.HIGH,
        "is_pilot": True,
        "pilot_evaluation": "Compare smoking at 36 weeks, checked by carbon monoxide test, for "
        "the 150 women in the pilot with women booked the year before; work out the cost per "
        "quit; report to the board by December 2027 with a recommendation to stop, keep or "
        "extend the scheme.",
        "decision": Option.Decision.FAVOURED,
        "decision_reason": "Strong evidence from trials elsewhere at a modest cost. A pilot "
        "tests whether it works with our maternity service before we commit money every year.",
        "scores": (4, 4, 4, 4, 3, 3),
        "notes": {
            2: "Needs midwives, the stop-smoking service and the family hubs to refer.",
            4: "Two community midwife posts are vacant.",
        },
    },
    "quit-line": {
        "outcome": SMOKING,
        "kind": Option.Kind.LESS,
        "title": "Close the telephone quit line and move its advisers into the clinics",
        "description": "The quit line now takes about 15 calls a week, a third of what it took "
        "in 2022. Its two advisers could run six clinic sessions a week instead, saving "
        "£62,000 a year in call handling.",
        "evidence": "Call numbers from the quit line's own records, 2022 to 2026.",
        "cost": Decimal("0"),
        "plausibility": Option.Plausibility.MEDIUM,
        "exit_plan": "Tell GPs and pharmacies six weeks before it closes; move everyone on the "
        "line's caseload to a named clinic adviser; keep the number open for three months with "
        "a recorded message and a call back the same day.",
        "decision": Option.Decision.UNDECIDED,
        "decision_reason": "",
        "scores": (3, 2, 2, 5, 4, 3),
        "notes": {
            1: "Some callers are housebound and cannot get to a clinic.",
            3: "Saves £62,000 a year.",
        },
    },
    "falls": {
        "outcome": OLDER,
        "kind": Option.Kind.BETTER,
        "title": "Join up falls referrals between ambulance crews, GPs and the council",
        "description": "One pathway and one referral hub for older people who fall, so each is "
        "assessed once and referred on the same day, instead of by up to three services.",
        "evidence": "A single falls pathway in a neighbouring area cut repeat admissions after "
        "a fall by 12% in two years.",
        "cost": Decimal("585000"),
        "plausibility": Option.Plausibility.HIGH,
        "decision": Option.Decision.FAVOURED,
        "decision_reason": "It makes better use of what partners already spend, and it only "
        "works if all of us do it together.",
        "scores": (5, 4, 5, 4, 3, 4),
        "notes": {2: "Needs the ambulance service, GPs, the council and housing."},
    },
    "strength": {
        "outcome": OLDER,
        "kind": Option.Kind.NEW,
        "title": "Pilot strength and balance classes in sheltered housing",
        "description": "A 24-week strength and balance course in the common rooms of 12 "
        "sheltered housing schemes, for residents who have fallen or fear falling.",
        "evidence": "Trials of strength and balance training show falls cut by about a quarter "
        "among older people who finish the course.",
        "cost": Decimal("38000"),
        "plausibility": Option.Plausibility.MEDIUM,
        "is_pilot": True,
        "pilot_evaluation": "Count falls among residents who take part for a year before and a "
        "year after, against residents of schemes without classes; balance tests at the start "
        "and the end. The council's public health team reports after 12 months.",
        "decision": Option.Decision.FAVOURED,
        "decision_reason": "Good evidence and a low cost, and Riverside Community Housing can "
        "hold the classes in its own common rooms.",
        "scores": (4, 3, 4, 5, 4, 4),
        "notes": {3: "Rooms cost nothing; instructors are the main cost."},
    },
    "reablement": {
        "outcome": OLDER,
        "kind": Option.Kind.MORE,
        "title": "More reablement hours, including at weekends",
        "description": "Eight more reablement support workers, so people leaving hospital start "
        "reablement within two days, on any day of the week.",
        "evidence": "People who start reablement within two days of leaving hospital are more "
        "likely to be at home 91 days later.",
        "cost": Decimal("264000"),
        "plausibility": Option.Plausibility.HIGH,
        "decision": Option.Decision.FAVOURED,
        "decision_reason": "It raises the share still at home 91 days after hospital, which is "
        "below the England average. The ICB has agreed to pay from the Better Care Fund.",
        "scores": (4, 5, 3, 2, 2, 2),
        "notes": {
            4: "Care workers are hard to recruit locally.",
            5: "Depends on recruiting eight workers in a tight labour market.",
        },
    },
    "early-warning": {
        "outcome": HOMES,
        "kind": Option.Kind.NEW,
        "title": "An early-warning scheme with private landlords",
        "description": "Landlords refer tenants falling into rent arrears, and a housing "
        "options officer calls within three working days, before any notice is served.",
        "evidence": "Most evictions from private rented homes start with arrears the landlord "
        "knew about months before. Landlords at the forum said they would use it.",
        "cost": Decimal("95000"),
        "plausibility": Option.Plausibility.MEDIUM,
        "decision": Option.Decision.FAVOURED,
        "decision_reason": "Evictions from private rented homes are our largest cause of "
        "homelessness, and the landlord forum gives us a ready way in.",
        "scores": (5, 4, 4, 4, 4, 3),
        "notes": {5: "Relies on landlords calling us; some will not."},
    },
    "bed-and-breakfast": {
        "outcome": HOMES,
        "kind": Option.Kind.LESS,
        "title": "Use bed and breakfast less for families",
        "description": "Replace bed and breakfast with homes leased from private landlords, "
        "so that no family with children stays in bed and breakfast for more than six weeks.",
        "evidence": "Families in bed and breakfast share kitchens and bathrooms; schools report "
        "worse attendance. Leased homes cost the council less per family.",
        "cost": Decimal("540000"),
        "plausibility": Option.Plausibility.MEDIUM,
        "exit_plan": "Give two of the three bed and breakfast providers six months' notice; "
        "move the families who have been there longest first; keep two rooms with the third "
        "provider for emergencies at night until the leased homes are ready.",
        "decision": Option.Decision.FAVOURED,
        "decision_reason": "Bed and breakfast is the worst place for children and costs the "
        "council about £1.9 million a year. Leased homes are better for families and cheaper.",
        "scores": (5, 3, 3, 4, 3, 2),
        "notes": {5: "Landlords are selling up; leasing 30 homes may take longer than a year."},
    },
    "hostel": {
        "outcome": HOMES,
        "kind": Option.Kind.NEW,
        "title": "Build a council-run family hostel",
        "description": "A 40-room hostel for families who have lost their home, run by the "
        "council on the former depot site in Old Town.",
        "evidence": "Hostels cost less per night than bed and breakfast, but families stay longer.",
        "cost": Decimal("4800000"),
        "plausibility": Option.Plausibility.LOW,
        "decision": Option.Decision.NOT_FAVOURED,
        "decision_reason": "Too costly and too slow: the earliest it could open is 2029, and it "
        "moves families from one kind of temporary home to another instead of stopping them "
        "losing their home.",
        "scores": (2, 2, 1, 1, 1, 2),
        "notes": {
            3: "£4.8 million to build, with no capital funding identified.",
            4: "Planning and building would take at least three years.",
        },
    },
}


def _milestone(title: str, due: str, done_on: str | None = None) -> tuple:
    return title, due, done_on


def _update(when: str, author: str, status: str, progress: int, note: str, link: str = ""):
    return when, author, status, progress, note, link


M = _milestone
U = _update
LINK = "https://example.org/riverside"

# The action plan, by reference. "after" names the actions each one waits for; "milestones"
# are (title, due, done on); "updates" are (when, who, status, progress, note, evidence link),
# oldest first, the last one the action's state now.
ACTIONS = [
    # Fewer adults smoke ------------------------------------------------------------------------
    {
        "key": "sm-recruit",
        "spend": [
            ("2026-04-01", "21000", "Advertising and interviews"),
            ("2026-07-01", "58000", "Six advisers' first salaries"),
        ],
        "title": "Recruit six stop-smoking advisers for Northfield and Eastgate",
        "description": "Recruit six full-time stop-smoking advisers to staff new evening and "
        "weekend clinics in Northfield and Eastgate, two of them able to advise in Polish or "
        "Urdu.",
        "outcomes": [SMOKING],
        "option": "clinics",
        "lead": ICB,
        "supporting": [COUNCIL, CVS],
        "start": "2026-05-18",
        "due": "2026-08-14",
        "term": QUICK_WIN,
        "amount": "186000",
        "provider": ICB,
        "expected_outputs": "Six advisers in post, ready to train.",
        "expected_outcomes": "Enough advisers to run 14 more clinic sessions a week.",
        "success_measure": "Six advisers in post by 14 August 2026",
        "monitoring": "The ICB workforce team tracks recruitment each fortnight and reports to "
        "the partnership's monthly delivery meeting.",
        "corporate_plan_ref": "ICB Joint Forward Plan 2025–30, section 4.2",
        "status": COMPLETE,
        "progress": 100,
        "closure": CLOSED,
        "completion_evidence": "All six advisers started between 20 July and 10 August 2026. "
        "Their start dates are recorded by ICB human resources and were reported to the "
        "delivery meeting on 12 August.",
        "lessons_learned": "Advertising through the CVS newsletter and community radio reached "
        "people NHS Jobs did not: three of the six live in the wards they now serve. Allow four "
        "weeks for pre-employment checks, not two.",
        "milestones": [
            M("Job descriptions agreed and graded", "2026-05-29", "2026-05-28"),
            M("Interviews held", "2026-07-03", "2026-07-02"),
            M("All six advisers in post", "2026-08-14", "2026-08-10"),
        ],
        "updates": [
            U(
                "2026-06-03 10:15",
                "grace",
                ON_TRACK,
                30,
                "Posts advertised on NHS Jobs and in the CVS newsletter. 41 applications so "
                "far, nine of them from Northfield and Eastgate.",
            ),
            U(
                "2026-07-08 14:30",
                "grace",
                ON_TRACK,
                65,
                "Interviews held on 1 and 2 July. Six offers made and accepted, two of them to "
                "Polish and Urdu speakers.",
                f"{LINK}/icb/stop-smoking-interviews-july-2026",
            ),
            U(
                "2026-08-12 09:00",
                "grace",
                COMPLETE,
                100,
                "The sixth adviser started on 10 August. All six are in post and booked on "
                "the practitioner course.",
            ),
        ],
    },
    {
        "key": "sm-train",
        "title": "Train the new advisers and 40 pharmacy staff to the national stop-smoking "
        "standard",
        "description": "Put the six new advisers and 40 staff from community pharmacies in "
        "Northfield and Eastgate through the National Centre for Smoking Cessation and "
        "Training practitioner course and assessment.",
        "outcomes": [SMOKING],
        "option": "clinics",
        "lead": ICB,
        "supporting": [COUNCIL],
        "after": ["sm-recruit"],
        "start": "2026-08-17",
        "due": "2026-10-30",
        "term": QUICK_WIN,
        "amount": "14500",
        "provider": ICB,
        "staff_time": "ICB training lead, two days a week for ten weeks",
        "expected_outputs": "46 certified stop-smoking practitioners.",
        "expected_outcomes": "Every clinic session and every pharmacy taking part can give "
        "behavioural support and stop-smoking medicines.",
        "success_measure": "46 staff certified by 30 October 2026",
        "monitoring": "Attendance and assessment results from the national training centre, "
        "checked by the ICB training lead.",
        "status": COMPLETE,
        "progress": 100,
        "closure": AWAITING,
        "completion_evidence": "All six advisers and 42 pharmacy staff passed the practitioner "
        "assessment. Their certificates are held by the ICB training lead; the list went to "
        "the delivery meeting on 4 November.",
        "lessons_learned": "Pharmacy staff could only train in the evenings. Running the course "
        "online in two-hour sessions brought in two more pharmacies than we planned.",
        "milestones": [
            M("Course dates booked with the training centre", "2026-08-28", "2026-08-26"),
            M("New advisers certified", "2026-09-25", "2026-09-24"),
            M("Pharmacy staff certified", "2026-10-30", "2026-10-29"),
        ],
        "updates": [
            U(
                "2026-08-26 16:00",
                "grace",
                ON_TRACK,
                20,
                "Online course booked for four evenings a week from 1 September. 44 pharmacy "
                "staff enrolled.",
            ),
            U(
                "2026-09-25 11:20",
                "grace",
                ON_TRACK,
                55,
                "All six new advisers passed the assessment on 24 September.",
            ),
            U(
                "2026-10-30 15:45",
                "grace",
                COMPLETE,
                100,
                "42 pharmacy staff certified, two more than planned. Marked complete for the "
                "lead to confirm.",
                f"{LINK}/icb/stop-smoking-certificates-october-2026",
            ),
        ],
    },
    {
        "key": "sm-clinics",
        "spend": [("2026-07-01", "42000", "Evening clinic sessions")],
        "is_key": True,
        "title": "Open evening and weekend stop-smoking clinics in Northfield and Eastgate",
        "description": "Run 14 more stop-smoking clinic sessions a week – weekday evenings and "
        "Saturday mornings – at Northfield Health Centre and Riverside Community Housing's "
        "Eastgate office.",
        "outcomes": [SMOKING],
        "option": "clinics",
        "lead": ICB,
        "supporting": [COUNCIL, HOUSING],
        "after": ["sm-train"],
        "start": "2026-11-02",
        "due": "2027-10-29",
        "term": SHORT,
        "amount": "240000",
        "provider": ICB,
        "expected_outputs": "14 clinic sessions a week for a year.",
        "expected_outcomes": "1,200 more quit attempts a year from the wards with the highest "
        "smoking rates.",
        "indicator": "SM-01",
        "success_measure": "1,200 quit attempts and 480 four-week quits in the first year",
        "monitoring": "Quit attempts and four-week quits from the clinic records each month, "
        "with a sample checked by carbon monoxide test each quarter; a report to the board "
        "every six months.",
        "corporate_plan_ref": "ICB Joint Forward Plan 2025–30, section 4.2",
        "status": ON_TRACK,
        "progress": 15,
        "milestones": [
            M("Northfield clinic opens", "2026-11-02", "2026-11-02"),
            M("Eastgate clinic opens", "2026-12-07"),
            M("300 quit attempts", "2027-03-31"),
        ],
        "updates": [
            U(
                "2026-11-04 17:10",
                "grace",
                ON_TRACK,
                10,
                "Northfield clinic opened on Monday 2 November. 23 people came to the first "
                "two evening sessions and 17 set a quit date.",
            ),
            U(
                "2026-11-18 12:05",
                "tom",
                ON_TRACK,
                15,
                "The meeting room at our Eastgate office is fitted out and booked for the "
                "clinic from 7 December.",
            ),
        ],
    },
    {
        "key": "sm-vapes",
        "title": "Give 1,500 vape starter kits to adult smokers through clinics and pharmacies",
        "description": "Offer a free vape starter kit with behavioural support to 1,500 adult "
        "smokers, through the stop-smoking clinics and 12 community pharmacies, under the "
        "national Swap to Stop scheme.",
        "outcomes": [SMOKING],
        "lead": COUNCIL,
        "supporting": [ICB, CVS],
        "start": "2026-04-06",
        "due": "2027-03-31",
        "term": SHORT,
        "amount": "52000",
        "provider": COUNCIL,
        "expected_outputs": "1,500 starter kits given, each with support.",
        "expected_outcomes": "More quit attempts from heavy smokers who have not stopped with "
        "medicines.",
        "success_measure": "1,500 kits given and 40% of those who take one smoke-free at four "
        "weeks",
        "monitoring": "Kits given and four-week quits each month from the pharmacy claims system.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 2.1",
        "status": ON_TRACK,
        "progress": 70,
        "milestones": [
            M("12 pharmacies signed up", "2026-05-29", "2026-05-27"),
            M("750 kits given", "2026-09-30", "2026-09-21"),
            M("1,500 kits given", "2027-03-31"),
        ],
        "updates": [
            U(
                "2026-05-27 13:00",
                "priya",
                ON_TRACK,
                15,
                "12 pharmacies signed up; the first kits went out on 26 May.",
            ),
            U(
                "2026-07-15 10:40",
                "priya",
                ON_TRACK,
                35,
                "410 kits given. 44% of those followed up were smoke-free at four weeks.",
            ),
            U(
                "2026-09-22 09:25",
                "grace",
                ON_TRACK,
                55,
                "750 kits given, a week ahead of plan. The clinic advisers now offer kits too.",
                f"{LINK}/public-health/swap-to-stop-september-2026",
            ),
            U(
                "2026-11-10 15:30",
                "priya",
                ON_TRACK,
                70,
                "1,040 kits given. Demand is steady and stock is ordered to March.",
            ),
        ],
    },
    {
        "key": "sm-pregnancy-design",
        "title": "Agree the vouchers pilot for pregnant smokers with the maternity unit",
        "description": "Write and agree with the Riverside maternity unit a protocol for the "
        "vouchers pilot: who can join, how carbon monoxide tests are done, and how vouchers "
        "are paid.",
        "outcomes": [SMOKING],
        "option": "pregnancy",
        "lead": ICB,
        "supporting": [COUNCIL],
        "start": "2026-05-18",
        "due": "2026-07-31",
        "term": QUICK_WIN,
        "provider": ICB,
        "staff_time": "Public health midwife, one day a week for ten weeks",
        "expected_outputs": "A signed protocol and a voucher supplier.",
        "expected_outcomes": "The pilot can start in September, with midwives confident to "
        "offer it.",
        "success_measure": "Protocol approved by the maternity governance group by 31 July 2026",
        "monitoring": "Checked at the monthly delivery meeting.",
        "status": COMPLETE,
        "progress": 100,
        "closure": CLOSED,
        "completion_evidence": "Protocol approved by the maternity governance group on 22 July "
        "2026 (minute 7.3); voucher supplier contracted on 29 July.",
        "lessons_learned": "Midwives asked for a one-page guide instead of the six-page "
        "protocol. Writing the guide first would have saved a month of comments.",
        "milestones": [
            M("Draft protocol shared with midwives", "2026-06-19", "2026-06-18"),
            M("Approved by the maternity governance group", "2026-07-31", "2026-07-22"),
        ],
        "updates": [
            U(
                "2026-06-18 14:00",
                "grace",
                ON_TRACK,
                45,
                "Draft protocol shared with the community midwives for comment.",
            ),
            U(
                "2026-07-23 10:30",
                "grace",
                ON_TRACK,
                85,
                "The maternity governance group approved it on 22 July. Choosing a voucher "
                "supplier next.",
            ),
            U(
                "2026-07-30 16:20",
                "grace",
                COMPLETE,
                100,
                "Voucher supplier contracted. Ready to start on 1 September.",
                f"{LINK}/icb/pregnancy-vouchers-protocol",
            ),
        ],
    },
    {
        "key": "sm-pregnancy-pilot",
        "title": "Run the vouchers pilot for 150 pregnant smokers",
        "description": "Offer up to £400 in shopping vouchers, in stages, to 150 pregnant women "
        "who smoke and book at the Riverside maternity unit, while carbon monoxide tests show "
        "they have stopped.",
        "outcomes": [SMOKING],
        "option": "pregnancy",
        "lead": ICB,
        "supporting": [COUNCIL, CVS],
        "after": ["sm-pregnancy-design"],
        "start": "2026-09-01",
        "due": "2027-08-31",
        "term": SHORT,
        "amount": "45000",
        "provider": COUNCIL,
        "staff_time": "Two stop-smoking in pregnancy advisers, 0.5 FTE each",
        "expected_outputs": "150 women enrolled, with vouchers paid at each stage.",
        "expected_outcomes": "More women smoke-free at the end of pregnancy, and fewer babies "
        "born underweight.",
        "success_measure": "150 women enrolled and 60 smoke-free at 36 weeks",
        "monitoring": "Enrolment each week; carbon monoxide readings at each antenatal visit; "
        "an independent evaluation by the council's public health intelligence team.",
        "status": AT_RISK,
        "progress": 20,
        "milestones": [
            M("First 25 women enrolled", "2026-10-30"),
            M("75 women enrolled", "2027-01-29"),
            M("150 women enrolled", "2027-04-30"),
        ],
        "updates": [
            U(
                "2026-09-14 11:00",
                "grace",
                ON_TRACK,
                5,
                "The pilot opened on 1 September at the maternity unit. Four women enrolled in "
                "the first fortnight.",
            ),
            U(
                "2026-10-16 15:15",
                "grace",
                ON_TRACK,
                12,
                "14 women enrolled. Midwives say the vouchers make an easy start to the "
                "conversation.",
            ),
            U(
                "2026-11-16 10:45",
                "grace",
                AT_RISK,
                20,
                "19 enrolled against 25 planned by the end of October: two community midwife "
                "posts are vacant. We have asked the CVS family hubs to refer women directly.",
            ),
            U(
                "2026-11-20 12:30",
                "priya",
                AT_RISK,
                20,
                "Public health will pay, from the pilot budget, for family hub staff to be "
                "trained to refer.",
            ),
        ],
    },
    {
        "key": "sm-pregnancy-evaluation",
        "title": "Evaluate the vouchers pilot and recommend whether to keep it",
        "description": "Compare smoking at 36 weeks for the 150 women in the pilot with women "
        "booked the year before, work out the cost per quit, and recommend to the board "
        "whether to stop, keep or extend the scheme.",
        "outcomes": [SMOKING],
        "option": "pregnancy",
        "lead": COUNCIL,
        "supporting": [ICB],
        "after": ["sm-pregnancy-pilot"],
        "start": "2027-09-01",
        "due": "2027-12-17",
        "term": QUICK_WIN,
        "provider": COUNCIL,
        "staff_time": "Public health analyst, 15 days",
        "expected_outputs": "An evaluation report and a recommendation.",
        "expected_outcomes": "A decision on funding the scheme every year, made on local results.",
        "success_measure": "Report with the cost per quit to the board by 17 December 2027",
        "monitoring": "The board receives the report and records its decision.",
        "status": NOT_STARTED,
        "progress": 0,
        "milestones": [
            M("Data extract from maternity records", "2027-09-30"),
            M("Report to the board", "2027-12-17"),
        ],
    },
    {
        "key": "sm-employers",
        "title": "Run a quit campaign with ten large employers of routine and manual workers",
        "description": "Take the stop-smoking offer into ten of Riverside's largest employers "
        "of routine and manual workers – the warehouses, the bus depot and the hospital's "
        "facilities staff – with workplace sessions and a quick referral to the clinics.",
        "outcomes": [SMOKING],
        "lead": COUNCIL,
        "supporting": [ICB, CVS],
        "after": ["sm-train"],
        "start": "2027-01-11",
        "due": "2027-06-30",
        "term": QUICK_WIN,
        "amount": "28000",
        "provider": COUNCIL,
        "expected_outputs": "Ten employers signed up; 40 workplace sessions.",
        "expected_outcomes": "More quit attempts from routine and manual workers, who smoke most.",
        "success_measure": "300 referrals to the clinics from the ten employers by June 2027",
        "monitoring": "Referrals recorded by employer in the clinic records, reported each month.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 2.1",
        "status": NOT_STARTED,
        "progress": 0,
        "milestones": [
            M("Ten employers signed up", "2027-02-26"),
            M("300 referrals", "2027-06-30"),
        ],
    },
    {
        "key": "sm-illicit",
        "title": "Hold four joint operations against illicit tobacco with Trading Standards",
        "description": "Eastshire Police and the council's Trading Standards team visit shops "
        "and storage units reported for selling illicit tobacco, four times in the year, "
        "seizing stock and prosecuting where they can.",
        "outcomes": [SMOKING],
        "lead": POLICE,
        "supporting": [COUNCIL],
        "start": "2026-06-01",
        "due": "2027-03-31",
        "term": SHORT,
        "provider": POLICE,
        "staff_time": "Four officers for one day each operation",
        "expected_outputs": "Four operations; 40 premises visited.",
        "expected_outcomes": "Illicit tobacco harder to buy, so that price keeps helping people "
        "stop.",
        "success_measure": "Four operations held and 40 premises visited by March 2027",
        "monitoring": "Premises visited and seizures from each operation, reported to the "
        "community safety group.",
        "status": ON_TRACK,
        "progress": 50,
        "milestones": [
            M("First operation", "2026-07-31", "2026-07-24"),
            M("Second operation", "2026-10-30", "2026-10-22"),
            M("Third operation", "2027-01-29"),
            M("Fourth operation", "2027-03-31"),
        ],
        "updates": [
            U(
                "2026-07-27 09:50",
                "priya",
                ON_TRACK,
                25,
                "First joint operation on 24 July: 11 premises visited and 4,200 illicit "
                "cigarettes seized.",
                f"{LINK}/trading-standards/operation-july-2026",
            ),
            U(
                "2026-10-26 14:10",
                "priya",
                ON_TRACK,
                50,
                "Second operation on 22 October: 10 premises visited and two shops referred "
                "for prosecution.",
            ),
        ],
    },
    {
        "key": "sm-mental-health",
        "title": "Add a stop-smoking offer to 900 mental health reviews a year",
        "description": "Record smoking status at every review held by Riverside's community "
        "mental health teams, and offer each smoker a referral to a stop-smoking adviser: "
        "900 reviews a year.",
        "outcomes": [SMOKING],
        "lead": ICB,
        "supporting": [COUNCIL, CVS],
        "start": "2026-06-01",
        "due": "2027-05-28",
        "term": SHORT,
        "amount": "32000",
        "provider": ICB,
        "staff_time": "One stop-smoking adviser based with the mental health teams, 0.6 FTE",
        "expected_outputs": "Smoking status recorded at 900 reviews, and a referral offered to "
        "every smoker.",
        "expected_outcomes": "We learn how many people with a mental illness smoke, and more of "
        "them stop.",
        "success_measure": "Smoking status recorded at 90% of reviews and 900 offers made by "
        "May 2027",
        "monitoring": "Recording rates from the mental health trust's records each quarter.",
        "status": OFF_TRACK,
        "progress": 10,
        "milestones": [
            M("Smoking status added to the review form", "2026-07-31", "2026-08-12"),
            M("Adviser in post with the teams", "2026-09-30"),
            M("450 offers made", "2026-12-18"),
        ],
        "updates": [
            U(
                "2026-08-12 10:05",
                "grace",
                ON_TRACK,
                10,
                "Smoking status is now a required question on the review form, two weeks "
                "later than planned.",
            ),
            U(
                "2026-10-05 16:40",
                "grace",
                AT_RISK,
                10,
                "The adviser post was not filled: no suitable applicants. Re-advertised jointly "
                "with the mental health trust.",
            ),
            U(
                "2026-11-09 11:15",
                "grace",
                OFF_TRACK,
                10,
                "The second advert failed too, and only 31% of reviews since August recorded "
                "smoking status. Proposing that one of the new clinic advisers works with the "
                "teams two days a week from January.",
            ),
        ],
    },
    {
        "key": "sm-school-gates",
        "title": "Run smoke-free school gates at 12 primary schools",
        "description": "Ask parents not to smoke or vape at the gates of 12 primary schools in "
        "Northfield and Eastgate, with signs designed by pupils and a letter home each term.",
        "outcomes": [SMOKING],
        "lead": COUNCIL,
        "supporting": [CVS],
        "start": "2026-04-20",
        "due": "2026-10-16",
        "term": QUICK_WIN,
        "amount": "6000",
        "provider": COUNCIL,
        "expected_outputs": "Signs at 12 school gates and a letter home each term.",
        "success_measure": "12 schools signed up and signs in place by October 2026",
        "monitoring": "Schools signed up, and a count of people smoking at the gates before and "
        "after.",
        "status": CANCELLED,
        "progress": 20,
        "milestones": [M("12 schools signed up", "2026-06-26")],
        "updates": [
            U(
                "2026-05-20 12:00",
                "priya",
                ON_TRACK,
                20,
                "Five schools signed up; pupils at two of them are designing the signs.",
            ),
            U(
                "2026-07-10 09:30",
                "priya",
                AT_RISK,
                20,
                "No more schools signed up before the summer: heads say they have no time for "
                "it this term.",
            ),
            U(
                "2026-09-14 15:00",
                "priya",
                CANCELLED,
                20,
                "Cancelled. The schools asked for the message to go into the school nurses' "
                "visits instead of a separate scheme. The five schools keep their signs.",
            ),
        ],
    },
    # Older people live independently at home for longer ---------------------------------------
    {
        "key": "op-pathway",
        "title": "Agree one falls referral pathway for ambulance crews, GPs and council staff",
        "description": "Agree with the ambulance service, GP practices and the council's adult "
        "social care team one pathway for referring an older person who has fallen, so that "
        "each is assessed once and referred on the same day.",
        "outcomes": [OLDER],
        "option": "falls",
        "lead": ICB,
        "supporting": [COUNCIL],
        "start": "2026-05-18",
        "due": "2026-06-30",
        "term": QUICK_WIN,
        "provider": ICB,
        "staff_time": "Falls lead nurse, three days a week for six weeks",
        "expected_outputs": "A written pathway signed by the three services.",
        "expected_outcomes": "One assessment after a fall instead of up to three.",
        "success_measure": "Pathway signed by all three services by 30 June 2026",
        "monitoring": "Signed off at the delivery meeting.",
        "status": COMPLETE,
        "progress": 100,
        "closure": CLOSED,
        "completion_evidence": "The pathway was signed by the ICB, the council and the "
        "ambulance service on 24 June 2026 and is published on the partnership's site.",
        "lessons_learned": "Bringing ambulance crews to the first workshop made the difference: "
        "half our falls are first seen by a crew, and they spotted two steps that would not "
        "work at night.",
        "milestones": [
            M("Workshop with ambulance crews, GPs and social workers", "2026-06-05", "2026-06-04"),
            M("Pathway signed", "2026-06-30", "2026-06-24"),
        ],
        "updates": [
            U(
                "2026-06-05 17:00",
                "grace",
                ON_TRACK,
                50,
                "Workshop held on 4 June with 26 people from the three services. The draft "
                "pathway is out for comment.",
            ),
            U(
                "2026-06-25 09:15",
                "priya",
                ON_TRACK,
                90,
                "The council signed the pathway on 24 June, as did the ICB and the ambulance "
                "service.",
            ),
            U(
                "2026-06-29 11:40",
                "grace",
                COMPLETE,
                100,
                "Pathway published on the partnership's site.",
                f"{LINK}/partnership/falls-pathway-2026",
            ),
        ],
    },
    {
        "key": "op-hub",
        "title": "Set up a falls referral hub taking referrals seven days a week",
        "description": "Set up one falls referral hub, run by the council's adult social care "
        "team with ICB community nurses, taking referrals from ambulance crews, GPs and "
        "housing staff from 8am to 8pm, seven days a week.",
        "outcomes": [OLDER],
        "option": "falls",
        "lead": COUNCIL,
        "supporting": [ICB, HOUSING],
        "after": ["op-pathway"],
        "start": "2026-07-01",
        "due": "2027-03-31",
        "term": SHORT,
        "amount": "310000",
        "provider": ICB,
        "staff_time": "Two social workers and two community nurses",
        "expected_outputs": "A hub answering referrals 84 hours a week.",
        "expected_outcomes": "Older people assessed within 48 hours of a fall, and fewer falls "
        "that end in hospital.",
        "indicator": "OP-01",
        "success_measure": "90% of referrals assessed within 48 hours by March 2027",
        "monitoring": "Referrals and time to assessment each week from the hub's case records; "
        "emergency admissions after a fall each quarter.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 3.2",
        "status": ON_TRACK,
        "progress": 55,
        "milestones": [
            M("Hub staff in post", "2026-09-04", "2026-09-01"),
            M("Hub opens on weekdays", "2026-10-05", "2026-10-05"),
            M("Hub opens seven days a week", "2027-01-04"),
        ],
        "updates": [
            U(
                "2026-07-20 10:00",
                "priya",
                ON_TRACK,
                15,
                "Hub manager appointed; the social work and nursing posts are advertised.",
            ),
            U(
                "2026-09-02 14:30",
                "grace",
                ON_TRACK,
                30,
                "Two community nurses seconded to the hub from 1 September.",
            ),
            U(
                "2026-10-07 16:15",
                "priya",
                ON_TRACK,
                45,
                "The hub opened on weekdays on 5 October. 38 referrals in the first two days, "
                "most of them from ambulance crews.",
                f"{LINK}/adult-social-care/falls-hub-opens",
            ),
            U(
                "2026-11-13 11:00",
                "tom",
                ON_TRACK,
                55,
                "Our sheltered housing wardens now refer to the hub directly: 12 referrals so far.",
            ),
        ],
    },
    {
        "key": "op-falls-car",
        "title": "Run a falls response car with the ambulance service on weekday evenings",
        "description": "Crew a car with a paramedic and an occupational therapist from 4pm to "
        "midnight on weekdays, to see older people who have fallen at home and, where it is "
        "safe, treat them there instead of taking them to hospital.",
        "outcomes": [OLDER],
        "option": "falls",
        "lead": ICB,
        "supporting": [COUNCIL],
        "after": ["op-hub"],
        "start": "2027-04-05",
        "due": "2028-03-31",
        "term": SHORT,
        "amount": "275000",
        "provider": ICB,
        "expected_outputs": "A falls car on the road 40 hours a week.",
        "expected_outcomes": "Fewer older people taken to hospital after a fall that needed no "
        "hospital care.",
        "indicator": "OP-01",
        "success_measure": "1,000 people seen in the first year, seven in ten of them kept "
        "safely at home",
        "monitoring": "Call-outs and the share taken to hospital, from the ambulance service "
        "each month.",
        "status": NOT_STARTED,
        "progress": 0,
        "milestones": [
            M("Car on the road", "2027-04-30"),
            M("Decision on funding beyond March 2028", "2028-01-28"),
        ],
    },
    {
        "key": "op-strength",
        "title": "Pilot strength and balance classes in 12 sheltered housing schemes",
        "description": "Run a 24-week strength and balance course in the common rooms of 12 "
        "Riverside Community Housing sheltered schemes, led by instructors trained in falls "
        "prevention.",
        "outcomes": [OLDER],
        "option": "strength",
        "lead": HOUSING,
        "supporting": [COUNCIL, ICB, CVS],
        "start": "2026-06-01",
        "due": "2027-05-28",
        "term": SHORT,
        "amount": "38000",
        "provider": COUNCIL,
        "staff_time": "Sheltered housing wardens, one hour a week each",
        "expected_outputs": "Two 24-week courses in each of the 12 schemes.",
        "expected_outcomes": "Fewer falls among residents who finish the course.",
        "success_measure": "250 residents finish the course, and falls among them drop by a "
        "quarter",
        "monitoring": "Attendance each week; falls recorded by wardens for the year before and "
        "after; an evaluation by the council's public health team.",
        "corporate_plan_ref": "Riverside Community Housing Corporate Strategy 2024–28, objective 3",
        "status": ON_TRACK,
        "progress": 45,
        "milestones": [
            M("Instructors trained", "2026-07-10", "2026-07-08"),
            M("Classes running in all 12 schemes", "2026-09-04", "2026-09-11"),
            M("First courses finish", "2027-01-29"),
            M("Evaluation report", "2027-05-28"),
        ],
        "updates": [
            U(
                "2026-07-09 15:00",
                "tom",
                ON_TRACK,
                15,
                "Four instructors passed the falls prevention course on 8 July.",
            ),
            U(
                "2026-09-14 10:20",
                "tom",
                ON_TRACK,
                30,
                "Classes running in all 12 schemes from 11 September, a week late because of a "
                "room booking clash at Willow Court. 163 residents signed up.",
            ),
            U(
                "2026-11-02 13:45",
                "tom",
                ON_TRACK,
                45,
                "Attendance is holding at 80%. Residents at three schemes have asked for a "
                "second class each week.",
                f"{LINK}/rch/strength-and-balance-autumn-2026",
            ),
            U(
                "2026-11-19 09:10",
                "grace",
                ON_TRACK,
                45,
                "Community physiotherapists will do the before-and-after balance tests in January.",
            ),
        ],
    },
    {
        "key": "op-reablement-recruit",
        "is_key": True,
        "title": "Recruit eight reablement support workers",
        "description": "Recruit eight reablement support workers to the council's reablement "
        "team, so that people leaving hospital can start reablement within two days, "
        "including at weekends.",
        "outcomes": [OLDER],
        "option": "reablement",
        "lead": COUNCIL,
        "supporting": [ICB, CVS],
        "start": "2026-05-18",
        "due": "2026-09-30",
        "term": QUICK_WIN,
        "amount": "264000",
        "provider": ICB,
        "expected_outputs": "Eight workers in post.",
        "expected_outcomes": "Reablement capacity up by a fifth.",
        "indicator": "OP-02",
        "success_measure": "Eight workers in post by 30 September 2026",
        "monitoring": "Recruitment each fortnight at the adult social care management meeting.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 3.1",
        "status": OFF_TRACK,
        "progress": 40,
        "milestones": [
            M("Posts advertised", "2026-06-05", "2026-06-03"),
            M("First four workers in post", "2026-08-28"),
            M("All eight workers in post", "2026-09-30"),
        ],
        "updates": [
            U(
                "2026-06-15 12:00",
                "priya",
                ON_TRACK,
                15,
                "Eight posts advertised on 3 June, with a recruitment day at the CVS on 20 June.",
            ),
            U(
                "2026-07-27 16:30",
                "priya",
                AT_RISK,
                25,
                "Only two appointed from 19 applicants. Local care agencies pay 60p an hour more.",
            ),
            U(
                "2026-09-08 10:10",
                "priya",
                AT_RISK,
                35,
                "A third worker appointed. Cabinet has agreed a market supplement and the posts "
                "are re-advertised.",
            ),
            U(
                "2026-10-12 14:20",
                "priya",
                OFF_TRACK,
                40,
                "Due date missed with three of eight in post. Two more start in December if "
                "their checks clear. New date proposed: 31 January 2027.",
                f"{LINK}/adult-social-care/reablement-recruitment-october-2026",
            ),
        ],
    },
    {
        "key": "op-reablement-weekends",
        "title": "Start weekend reablement visits for people leaving hospital",
        "description": "Extend the council's reablement team to Saturdays and Sundays, so that "
        "people discharged on a Friday start reablement the next day: 40 more people a month.",
        "outcomes": [OLDER],
        "option": "reablement",
        "lead": COUNCIL,
        "supporting": [ICB],
        "after": ["op-reablement-recruit"],
        "start": "2026-10-01",
        "due": "2027-09-30",
        "term": SHORT,
        "provider": COUNCIL,
        "staff_time": "Weekend rota covered by the eight new reablement workers",
        "expected_outputs": "Reablement visits seven days a week.",
        "expected_outcomes": "More people still at home 91 days after leaving hospital.",
        "indicator": "OP-02",
        "success_measure": "40 more people a month start reablement within two days of leaving "
        "hospital",
        "monitoring": "Days from discharge to the first reablement visit, each month; the "
        "91-day measure each year.",
        "status": AT_RISK,
        "progress": 10,
        "milestones": [
            M("Weekend rota agreed with staff", "2026-10-30", "2026-10-28"),
            M("Saturday visits start", "2026-11-07"),
            M("Sunday visits start", "2027-01-09"),
        ],
        "updates": [
            U(
                "2026-10-29 11:30",
                "priya",
                ON_TRACK,
                10,
                "Weekend rota agreed with staff and the union on 28 October.",
            ),
            U(
                "2026-11-09 09:45",
                "priya",
                AT_RISK,
                10,
                "Saturday visits could not start on 7 November: with three of the eight new "
                "workers in post, there is no one to cover. This waits on the recruitment.",
            ),
            U(
                "2026-11-20 15:05",
                "grace",
                AT_RISK,
                10,
                "The hospital discharge team will keep weekend discharges into reablement at "
                "today's level until the rota starts.",
            ),
        ],
    },
    {
        "key": "op-trusted-assessors",
        "title": "Train 20 trusted assessors so people can leave hospital without a second "
        "assessment",
        "description": "Train 20 hospital and council staff as trusted assessors, whose "
        "assessment of a person's care needs the council's reablement team and care homes "
        "accept without assessing again.",
        "outcomes": [OLDER],
        "lead": ICB,
        "supporting": [COUNCIL],
        "start": "2026-06-15",
        "due": "2026-12-18",
        "term": QUICK_WIN,
        "amount": "12000",
        "provider": ICB,
        "staff_time": "Hospital discharge lead, one day a week",
        "expected_outputs": "20 trusted assessors trained and working on the wards.",
        "expected_outcomes": "Shorter waits to leave hospital.",
        "success_measure": "20 assessors trained, and delays waiting for an assessment halved, "
        "by December 2026",
        "monitoring": "Reasons for delayed discharge each week from the hospital's discharge list.",
        "status": ON_TRACK,
        "progress": 80,
        "milestones": [
            M("Assessment form agreed with the council", "2026-07-17", "2026-07-15"),
            M("First ten assessors trained", "2026-09-25", "2026-09-25"),
            M("All 20 assessors trained", "2026-12-18"),
        ],
        "updates": [
            U(
                "2026-07-16 10:00",
                "grace",
                ON_TRACK,
                20,
                "Shared assessment form agreed with adult social care on 15 July.",
            ),
            U(
                "2026-09-28 14:40",
                "grace",
                ON_TRACK,
                50,
                "The first ten assessors are trained and working on the wards.",
            ),
            U(
                "2026-11-05 12:25",
                "priya",
                ON_TRACK,
                70,
                "Our reablement team has accepted 64 trusted assessments without a second visit.",
            ),
            U(
                "2026-11-19 16:00",
                "grace",
                ON_TRACK,
                80,
                "16 of 20 trained; the last four are booked for 10 December.",
            ),
        ],
    },
    {
        "key": "op-adaptations",
        "title": "Fit minor adaptations within ten working days in 600 homes a year",
        "description": "Fit grab rails, stair rails, key safes and other minor adaptations "
        "within ten working days of an assessment, in 600 homes a year of every tenure, using "
        "Riverside Community Housing's repairs team.",
        "outcomes": [OLDER],
        "lead": HOUSING,
        "supporting": [COUNCIL],
        "start": "2026-04-01",
        "due": "2029-03-30",
        "term": LONG,
        "amount": "420000",
        "provider": COUNCIL,
        "staff_time": "Two adaptations fitters",
        "expected_outputs": "1,800 homes adapted over three years.",
        "expected_outcomes": "Fewer falls at home and fewer moves into a care home.",
        "success_measure": "600 homes adapted a year, 90% of them within ten working days",
        "monitoring": "Jobs done and days to fit from the repairs system each month; a sample "
        "of residents phoned after three months.",
        "corporate_plan_ref": "Riverside Community Housing Corporate Strategy 2024–28, objective 3",
        "status": ON_TRACK,
        "progress": 30,
        "milestones": [
            M("Referral route from occupational therapists agreed", "2026-05-29", "2026-05-22"),
            M("First 300 homes adapted", "2026-10-30", "2026-10-27"),
            M("600 homes adapted in the first year", "2027-03-31"),
            M("1,800 homes adapted", "2029-03-30"),
        ],
        "updates": [
            U(
                "2026-05-26 09:30",
                "tom",
                ON_TRACK,
                5,
                "Referral route agreed with the council's occupational therapists on 22 May.",
            ),
            U(
                "2026-08-03 15:50",
                "tom",
                ON_TRACK,
                15,
                "148 homes adapted; 87% within ten working days.",
            ),
            U(
                "2026-10-28 11:10",
                "tom",
                ON_TRACK,
                25,
                "The 300th home was adapted on 27 October. Key safes are the most asked for.",
            ),
            U(
                "2026-11-16 10:00",
                "priya",
                ON_TRACK,
                30,
                "The council has confirmed the Disabled Facilities Grant for 2027–28.",
                f"{LINK}/council/disabled-facilities-grant-2027",
            ),
        ],
    },
    {
        "key": "op-befriending",
        "title": "Match 200 isolated older people with volunteer befrienders",
        "description": "Recruit and train volunteer befrienders through Riverside CVS member "
        "groups, and match each with an older person referred by GPs, social workers or the "
        "falls hub, for a weekly visit or call.",
        "outcomes": [OLDER],
        "lead": CVS,
        "supporting": [COUNCIL, ICB],
        "start": "2026-06-01",
        "due": "2027-05-28",
        "term": SHORT,
        "amount": "36000",
        "provider": COUNCIL,
        "expected_outputs": "120 volunteers trained; 200 matches.",
        "expected_outcomes": "Older people less lonely and more confident to stay in their own "
        "home.",
        "success_measure": "200 older people matched, and 70% say they feel less lonely after "
        "six months",
        "monitoring": "Matches each month; a short loneliness questionnaire at the start and "
        "after six months.",
        "status": ON_TRACK,
        "progress": 40,
        "milestones": [
            M("60 volunteers trained", "2026-09-25", "2026-09-24"),
            M("100 people matched", "2026-12-18"),
            M("200 people matched", "2027-05-28"),
        ],
        "updates": [
            U(
                "2026-07-06 10:00",
                "priya",
                ON_TRACK,
                15,
                "The CVS has recruited 34 volunteers from eight member groups; the first "
                "training day is on 16 July.",
            ),
            U(
                "2026-09-28 13:30",
                "grace",
                ON_TRACK,
                30,
                "GP social prescribers have referred 71 people so far.",
            ),
            U(
                "2026-11-12 15:40",
                "priya",
                ON_TRACK,
                40,
                "82 people matched with 66 trained volunteers.",
            ),
        ],
    },
    {
        "key": "op-telecare",
        "title": "Offer telecare and falls sensors to 500 people who have fallen",
        "description": "Offer a pendant alarm and a falls sensor, fitted and monitored by the "
        "council's telecare service, to 500 people aged 65 and over who have had a fall, "
        "within a week of referral.",
        "outcomes": [OLDER],
        "lead": COUNCIL,
        "supporting": [HOUSING],
        "start": "2025-10-01",
        "due": "2026-09-30",
        "term": SHORT,
        "amount": "95000",
        "provider": COUNCIL,
        "expected_outputs": "500 sensors fitted.",
        "expected_outcomes": "Falls found within the hour, and fewer long lies on the floor.",
        "success_measure": "500 sensors fitted, 80% within a week of referral",
        "monitoring": "Sensors fitted and response times from the telecare monitoring centre "
        "each month.",
        "status": AT_RISK,
        "progress": 75,
        "milestones": [
            M("New sensors chosen", "2025-11-28", "2025-11-26"),
            M("250 sensors fitted", "2026-04-30", "2026-05-15"),
            M("500 sensors fitted", "2026-09-30"),
        ],
        "updates": [
            U(
                "2025-12-01 10:00",
                "priya",
                ON_TRACK,
                10,
                "New sensors chosen after a trial with 20 residents; orders placed.",
            ),
            U(
                "2026-05-18 14:00",
                "tom",
                ON_TRACK,
                50,
                "The 250th sensor was fitted on 15 May. Our wardens now fit sensors in "
                "sheltered flats.",
            ),
            U(
                "2026-08-10 11:30",
                "priya",
                AT_RISK,
                65,
                "The supplier changed its hub unit, and fitting stopped for three weeks in July.",
            ),
            U(
                "2026-10-05 09:15",
                "priya",
                AT_RISK,
                75,
                "376 fitted by 30 September, so the due date was missed. At today's rate the "
                "500th will be fitted in January.",
            ),
        ],
    },
    {
        "key": "op-medicines",
        "title": "Review the medicines of 1,000 people aged 65 and over at high risk of falls",
        "description": "Pharmacists in Riverside's 14 primary care networks review the medicines "
        "of 1,000 people aged 65 and over flagged as at high risk of falls, stopping or "
        "changing those that cause dizziness.",
        "outcomes": [OLDER],
        "lead": ICB,
        "supporting": [COUNCIL],
        "start": "2026-09-01",
        "due": "2028-03-31",
        "term": LONG,
        "amount": "88000",
        "provider": ICB,
        "staff_time": "Primary care network pharmacists, half a day a week each",
        "expected_outputs": "1,000 structured medication reviews.",
        "expected_outcomes": "Fewer falls caused by medicines.",
        "indicator": "OP-01",
        "success_measure": "1,000 reviews by March 2028",
        "monitoring": "Reviews recorded in GP records each quarter; falls admissions among "
        "those reviewed against those not yet reviewed.",
        "corporate_plan_ref": "ICB Joint Forward Plan 2025–30, section 5.1",
        "status": ON_TRACK,
        "progress": 15,
        "milestones": [
            M("Search for people at high risk run in every practice", "2026-10-30", "2026-10-20"),
            M("250 reviews", "2027-03-31"),
            M("1,000 reviews", "2028-03-31"),
        ],
        "updates": [
            U(
                "2026-10-21 12:00",
                "grace",
                ON_TRACK,
                10,
                "Searches run in all 14 networks: 2,340 people flagged. The 1,000 at highest "
                "risk are invited first.",
            ),
            U(
                "2026-11-17 10:30",
                "grace",
                ON_TRACK,
                15,
                "118 reviews done. One in three led to a medicine being stopped.",
            ),
        ],
    },
    {
        "key": "op-data",
        "title": "Share falls and admissions data between the ICB and the council each month",
        "description": "Sign a data-sharing agreement and send the council a monthly extract of "
        "falls admissions and discharges into reablement, by ward and age, so that both "
        "partners plan from the same figures.",
        "outcomes": [OLDER],
        "lead": ICB,
        "supporting": [COUNCIL],
        "start": "2025-07-01",
        "due": "2026-03-31",
        "term": SHORT,
        "provider": ICB,
        "staff_time": "ICB analyst, two days a month, and the information governance lead",
        "expected_outputs": "A signed data-sharing agreement and a monthly extract.",
        "expected_outcomes": "Partners plan from the same data.",
        "success_measure": "Data-sharing agreement signed and 12 monthly extracts sent",
        "monitoring": "Extracts received, checked at the delivery meeting.",
        "status": OFF_TRACK,
        "progress": 60,
        "milestones": [
            M("Data-sharing agreement drafted", "2025-09-30", "2025-09-29"),
            M("Agreement signed", "2026-01-30"),
            M("First monthly extract sent", "2026-03-31"),
        ],
        "updates": [
            U(
                "2025-10-01 10:30",
                "grace",
                ON_TRACK,
                30,
                "Draft data-sharing agreement sent to both information governance teams.",
            ),
            U(
                "2026-02-09 15:20",
                "grace",
                AT_RISK,
                50,
                "Information governance asked for a data protection impact assessment before "
                "signing.",
            ),
            U(
                "2026-04-13 11:00",
                "grace",
                OFF_TRACK,
                55,
                "Due date missed. The assessment is done; the council's legal team is "
                "reviewing it.",
            ),
            U(
                "2026-09-21 09:40",
                "priya",
                OFF_TRACK,
                60,
                "Council legal has returned the agreement with two changes, which the ICB has "
                "not yet accepted.",
            ),
            U(
                "2026-11-16 14:50",
                "grace",
                OFF_TRACK,
                60,
                "Still not signed. Escalated to the ICB's Caldicott Guardian; we expect a "
                "decision in December.",
            ),
        ],
    },
    # Fewer households lose their home ----------------------------------------------------------
    {
        "key": "hs-forum",
        "title": "Set up a private landlord forum meeting every quarter",
        "description": "Set up a forum for private landlords and letting agents in Riverside, "
        "meeting every quarter, to hear early about tenants in difficulty and explain the help "
        "the council and housing partners can give.",
        "outcomes": [HOMES],
        "lead": HOUSING,
        "supporting": [COUNCIL],
        "start": "2025-04-01",
        "due": "2025-09-30",
        "term": QUICK_WIN,
        "amount": "4500",
        "provider": HOUSING,
        "expected_outputs": "A forum with 50 landlords on its list, meeting every quarter.",
        "expected_outcomes": "Landlords who call us before they serve notice.",
        "success_measure": "Two forums held and 50 landlords on the list by September 2025",
        "monitoring": "Attendance and the mailing list, reported to the homelessness group.",
        "corporate_plan_ref": "Riverside Community Housing Corporate Strategy 2024–28, objective 1",
        "status": COMPLETE,
        "progress": 100,
        "closure": CLOSED,
        "completion_evidence": "Forums held on 17 June and 16 September 2025 with 41 and 48 "
        "landlords; 63 landlords are on the list. The minutes are on the partnership's site.",
        "lessons_learned": "Landlords came for the update on new law and stayed for the advice. "
        "Meeting in the evening instead of at lunchtime doubled attendance.",
        "milestones": [
            M("First forum", "2025-06-17", "2025-06-17"),
            M("Second forum", "2025-09-16", "2025-09-16"),
        ],
        "updates": [
            U(
                "2025-06-18 10:00",
                "tom",
                ON_TRACK,
                50,
                "First forum held with 41 landlords and letting agents.",
                f"{LINK}/rch/landlord-forum-june-2025",
            ),
            U(
                "2025-09-17 09:30",
                "tom",
                COMPLETE,
                100,
                "Second forum held with 48 landlords; 63 are on the mailing list.",
            ),
        ],
    },
    {
        "key": "hs-early-warning",
        "title": "Open an early-warning line for landlords to refer tenants in rent arrears",
        "description": "Give private landlords and letting agents one phone number and web form "
        "to refer a tenant two months or more in arrears, with a call from a housing options "
        "officer within three working days.",
        "outcomes": [HOMES],
        "option": "early-warning",
        "lead": HOUSING,
        "supporting": [COUNCIL, CVS],
        "after": ["hs-forum"],
        "start": "2026-06-01",
        "due": "2027-01-29",
        "term": SHORT,
        "amount": "95000",
        "provider": COUNCIL,
        "staff_time": "Two housing options officers",
        "expected_outputs": "A referral line and web form taking 300 referrals a year.",
        "expected_outcomes": "More tenancies saved before notice is served.",
        "indicator": "HS-01",
        "success_measure": "300 referrals, and 62% of households helped to keep their home, by "
        "March 2027",
        "monitoring": "Referrals and outcomes from the housing options case records each month.",
        "status": ON_TRACK,
        "progress": 45,
        "milestones": [
            M("Referral form built", "2026-07-31", "2026-07-29"),
            M("Line opens", "2026-09-01", "2026-09-01"),
            M("100 referrals", "2026-12-18"),
        ],
        "updates": [
            U(
                "2026-07-30 13:20",
                "tom",
                ON_TRACK,
                20,
                "Referral form built and tested with five landlords from the forum.",
            ),
            U(
                "2026-09-03 10:40",
                "tom",
                ON_TRACK,
                30,
                "The line opened on 1 September: 14 referrals in the first two days.",
            ),
            U(
                "2026-10-20 16:10",
                "priya",
                ON_TRACK,
                40,
                "Council housing options officers now call back within two working days.",
            ),
            U(
                "2026-11-17 11:50",
                "tom",
                ON_TRACK,
                45,
                "72 referrals so far, and 41 tenancies kept.",
                f"{LINK}/rch/early-warning-line-november-2026",
            ),
        ],
    },
    {
        "key": "hs-rescue-fund",
        "title": "Run a tenancy rescue fund to clear arrears for 150 households",
        "description": "Pay off rent arrears, up to £2,500 a household, for 150 private tenants "
        "referred through the early-warning line, where the landlord agrees in writing to keep "
        "the tenancy for at least a year.",
        "outcomes": [HOMES],
        "lead": COUNCIL,
        "supporting": [HOUSING, CVS],
        "after": ["hs-early-warning"],
        "start": "2027-02-01",
        "due": "2028-03-31",
        "term": SHORT,
        "amount": "225000",
        "provider": COUNCIL,
        "expected_outputs": "150 tenancies rescued.",
        "expected_outcomes": "Fewer evictions from private rented homes.",
        "indicator": "HS-01",
        "success_measure": "150 households helped, 85% of them still in their home a year later",
        "monitoring": "Payments, and whether the tenancy lasts 12 months, from the housing "
        "options case records.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 4.1",
        "status": NOT_STARTED,
        "progress": 0,
        "milestones": [
            M("75 households helped", "2027-09-30"),
            M("150 households helped", "2028-03-31"),
        ],
    },
    {
        "key": "hs-lease",
        "spend": [("2026-07-01", "96000", "The first 12 leases")],
        "is_key": True,
        "title": "Lease 30 homes from private landlords for families in temporary accommodation",
        "description": "Lease 30 two- and three-bedroom homes from private landlords for five "
        "years, managed by Riverside Community Housing, to house families now in bed and "
        "breakfast.",
        "outcomes": [HOMES],
        "option": "bed-and-breakfast",
        "lead": HOUSING,
        "supporting": [COUNCIL],
        "start": "2026-06-01",
        "due": "2027-05-28",
        "term": SHORT,
        "amount": "540000",
        "provider": COUNCIL,
        "expected_outputs": "30 leased homes.",
        "expected_outcomes": "Families move out of bed and breakfast into a home of their own.",
        "indicator": "HS-02",
        "success_measure": "30 homes leased by May 2027",
        "monitoring": "Homes leased and families housed each month, reported to the "
        "homelessness group.",
        "corporate_plan_ref": "Riverside Community Housing Corporate Strategy 2024–28, objective 2",
        "status": AT_RISK,
        "progress": 35,
        # Tom asks for more time; Priya has not answered yet (her home page shows it).
        "due_requests": [
            (
                "2026-11-30 10:15",
                "tom",
                "2027-09-30",
                "Two landlords withdrew in October. The last twelve homes cannot be leased and "
                "made ready before the summer.",
                None,
            ),
        ],
        "milestones": [
            M("Lease terms agreed with the council", "2026-07-03", "2026-07-01"),
            M("15 homes leased", "2026-11-27"),
            M("30 homes leased", "2027-05-28"),
        ],
        "updates": [
            U(
                "2026-07-02 10:15",
                "tom",
                ON_TRACK,
                10,
                "Lease terms and the rent guarantee agreed with the council on 1 July.",
            ),
            U(
                "2026-09-07 14:00",
                "tom",
                ON_TRACK,
                25,
                "Seven homes leased; four families have moved in from bed and breakfast.",
            ),
            U(
                "2026-11-09 11:35",
                "tom",
                AT_RISK,
                35,
                "11 homes leased against 15 planned by November. Landlords are selling up "
                "instead of letting; we are offering a longer guarantee.",
            ),
            U(
                "2026-11-19 09:20",
                "priya",
                AT_RISK,
                35,
                "Cabinet approved the five-year rent guarantee on 18 November.",
            ),
        ],
    },
    {
        "key": "hs-end-bed-and-breakfast",
        "title": "Stop placing families in bed and breakfast for more than six weeks",
        "description": "Wind down the use of bed and breakfast for families, using the 30 "
        "leased homes, so that from April 2028 no family with children stays in bed and "
        "breakfast for more than six weeks.",
        "outcomes": [HOMES],
        "option": "bed-and-breakfast",
        "lead": COUNCIL,
        "supporting": [HOUSING],
        "after": ["hs-lease"],
        "start": "2027-06-01",
        "due": "2028-03-31",
        "term": SHORT,
        "provider": COUNCIL,
        "staff_time": "The temporary accommodation team",
        "expected_outputs": "Bed and breakfast contracts cut from three providers to one, for "
        "emergencies.",
        "expected_outcomes": "No family with children in bed and breakfast for more than six "
        "weeks.",
        "indicator": "HS-02",
        "success_measure": "No family in bed and breakfast for more than six weeks, and 200 or "
        "fewer families in temporary accommodation, by March 2028",
        "monitoring": "Families in bed and breakfast and how long they have stayed, each week.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 4.2",
        "status": NOT_STARTED,
        "progress": 0,
        "milestones": [
            M("Notice given to two bed and breakfast providers", "2027-06-30"),
            M("Last family staying over six weeks moved out", "2028-03-31"),
        ],
    },
    {
        "key": "hs-care-leavers",
        "title": "Give every care leaver a named housing officer and a tenancy course by 18",
        "description": "Name a housing officer for each of the 60 young people leaving council "
        "care each year, and run a six-session tenancy course with them before their 18th "
        "birthday.",
        "outcomes": [HOMES],
        "lead": COUNCIL,
        "supporting": [HOUSING, CVS],
        "start": "2026-04-13",
        "due": "2027-03-31",
        "term": SHORT,
        "amount": "42000",
        "provider": COUNCIL,
        "staff_time": "One housing officer, 0.5 FTE",
        "expected_outputs": "60 care leavers with a named officer; 60 finish the course.",
        "expected_outcomes": "No care leaver homeless in their first year of living alone.",
        "success_measure": "60 care leavers with a named officer, and none homeless in their "
        "first year",
        "monitoring": "Leaving care team records each quarter.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 1.3",
        "status": ON_TRACK,
        "progress": 50,
        "milestones": [
            M("Course written with young people", "2026-06-26", "2026-06-24"),
            M("First course finished", "2026-10-16", "2026-10-16"),
            M("Every care leaver has a named officer", "2027-03-31"),
        ],
        "updates": [
            U(
                "2026-06-25 14:30",
                "priya",
                ON_TRACK,
                20,
                "Course written with six care-experienced young people.",
            ),
            U(
                "2026-10-19 10:00",
                "tom",
                ON_TRACK,
                40,
                "First course finished: 11 young people, each with a named officer.",
            ),
            U(
                "2026-11-13 12:45",
                "priya",
                ON_TRACK,
                50,
                "34 of the 60 care leavers now have a named officer.",
            ),
        ],
    },
    {
        "key": "hs-outreach",
        "title": "Run a street outreach team seven nights a week in the town centre",
        "description": "Run a street outreach team of four workers from Riverside CVS member "
        "charities, seven nights a week in the town centre and along the river, offering a bed "
        "the same night to anyone sleeping rough.",
        "outcomes": [HOMES],
        "lead": CVS,
        "supporting": [COUNCIL, POLICE],
        "start": "2025-11-03",
        "due": "2027-10-29",
        "term": LONG,
        "amount": "180000",
        "provider": COUNCIL,
        "expected_outputs": "Outreach seven nights a week, and a bed offered to everyone found.",
        "expected_outcomes": "Fewer people sleeping rough, and no one sleeping rough for a "
        "second night.",
        "indicator": "HS-03",
        "success_measure": "Five or fewer people sleeping rough at the autumn 2027 count",
        "monitoring": "Contacts and outcomes each week from the outreach case records; the "
        "autumn street count.",
        "status": ON_TRACK,
        "progress": 50,
        "milestones": [
            M("Team of four in post", "2025-12-19", "2025-12-15"),
            M("Outreach seven nights a week", "2026-02-27", "2026-02-27"),
            M("Autumn 2027 count", "2027-10-29"),
        ],
        "updates": [
            U(
                "2025-12-16 10:00",
                "priya",
                ON_TRACK,
                10,
                "Four outreach workers in post from 15 December.",
            ),
            U(
                "2026-03-02 09:30",
                "priya",
                ON_TRACK,
                25,
                "Outreach now runs seven nights a week.",
            ),
            U(
                "2026-07-13 15:15",
                "priya",
                ON_TRACK,
                40,
                "46 people helped off the streets since December; 39 of them are still housed.",
            ),
            U(
                "2026-10-05 11:00",
                "priya",
                ON_TRACK,
                50,
                "Police neighbourhood teams now call the outreach line instead of moving "
                "people on.",
                f"{LINK}/cvs/outreach-six-month-report",
            ),
        ],
    },
    {
        "key": "hs-hospital",
        "title": "Place a housing officer on the hospital wards to stop discharge to the street",
        "description": "Base a Riverside Community Housing officer at Riverside General Hospital "
        "five days a week, to find a home for patients who would otherwise leave hospital with "
        "nowhere to live.",
        "outcomes": [HOMES, OLDER],
        "lead": HOUSING,
        "supporting": [ICB],
        "start": "2026-07-01",
        "due": "2027-06-30",
        "term": SHORT,
        "amount": "48000",
        "provider": ICB,
        "expected_outputs": "A housing officer on the wards five days a week.",
        "expected_outcomes": "No one discharged to the street, and fewer delayed discharges for "
        "housing reasons.",
        "success_measure": "120 patients helped and none discharged to the street by June 2027",
        "monitoring": "Referrals and housing outcomes each month; delayed discharges for "
        "housing reasons from the hospital.",
        "status": ON_TRACK,
        "progress": 40,
        "milestones": [
            M("Officer in post", "2026-08-03", "2026-07-27"),
            M("60 patients helped", "2026-12-31"),
            M("120 patients helped", "2027-06-30"),
        ],
        "updates": [
            U(
                "2026-07-28 16:00",
                "tom",
                ON_TRACK,
                10,
                "Our officer started on the wards on 27 July.",
            ),
            U(
                "2026-09-30 10:20",
                "grace",
                ON_TRACK,
                25,
                "Ward staff refer six patients a week on average. Delayed discharges for "
                "housing reasons fell from nine to four.",
            ),
            U(
                "2026-11-18 14:35",
                "tom",
                ON_TRACK,
                40,
                "47 patients helped; no one discharged to the street since August.",
            ),
        ],
    },
    {
        "key": "hs-debt-advice",
        "title": "Hold weekly debt and benefits advice sessions in four GP surgeries",
        "description": "Hold a weekly debt and benefits advice session, run by Citizens Advice "
        "Riverside, in four GP surgeries in Northfield and Eastgate, with GPs and social "
        "prescribers booking patients in.",
        "outcomes": [HOMES],
        "lead": ICB,
        "supporting": [CVS, COUNCIL],
        "start": "2026-03-02",
        "due": "2026-10-30",
        "term": SHORT,
        "amount": "26000",
        "provider": ICB,
        "expected_outputs": "Four weekly sessions; 400 people advised.",
        "expected_outcomes": "Households in arrears get help before it becomes a possession claim.",
        "success_measure": "400 people advised and £300,000 of unclaimed benefits gained",
        "monitoring": "Appointments and benefits gained, from Citizens Advice each quarter.",
        "status": AT_RISK,
        "progress": 60,
        # Grace asked for three more months; Priya declined, with her reason.
        "due_requests": [
            (
                "2026-11-16 14:30",
                "grace",
                "2027-01-29",
                "The fourth surgery could not host sessions until November, so its three "
                "months of figures come in January.",
                (
                    "2026-11-18 09:05",
                    "priya",
                    DueDateProposal.Answer.DECLINED,
                    "The sessions' funding ended in October. Bring the three surgeries' "
                    "figures to the December review and we will decide on the fourth there.",
                ),
            ),
        ],
        "milestones": [
            M("First two surgeries running", "2026-04-03", "2026-04-02"),
            M("All four surgeries running", "2026-06-05"),
            M("400 people advised", "2026-10-30"),
        ],
        "updates": [
            U(
                "2026-04-06 09:00",
                "grace",
                ON_TRACK,
                20,
                "Sessions running at Northfield Health Centre and Eastgate Medical Practice.",
            ),
            U(
                "2026-06-15 11:40",
                "grace",
                AT_RISK,
                35,
                "The other two surgeries have no free room until their building works finish "
                "in September.",
            ),
            U(
                "2026-09-21 15:30",
                "priya",
                AT_RISK,
                50,
                "The council has offered the Eastgate library meeting room, next door to one "
                "of the two surgeries.",
            ),
            U(
                "2026-11-02 10:10",
                "grace",
                AT_RISK,
                60,
                "Due date passed with 262 people advised and £214,000 gained. Three surgeries "
                "are running; the fourth starts in January. Asking the board for more time, to "
                "March 2027.",
            ),
        ],
    },
    {
        "key": "hs-court-desk",
        "title": "Put a housing options officer at every possession hearing at Riverside "
        "County Court",
        "description": "Have a council housing options officer at every possession list at "
        "Riverside County Court, to offer help on the day to tenants facing eviction and agree "
        "payment plans with landlords.",
        "outcomes": [HOMES],
        "lead": COUNCIL,
        "supporting": [HOUSING, CVS],
        "start": "2026-04-06",
        "due": "2029-03-30",
        "term": LONG,
        "amount": "38000",
        "provider": COUNCIL,
        "staff_time": "One housing options officer, two days a week",
        "expected_outputs": "An officer at every possession list for three years.",
        "expected_outcomes": "Fewer possession orders, and more hearings adjourned on a payment "
        "plan.",
        "success_measure": "Half of the tenants seen at court keep their home",
        "monitoring": "Cases seen and their outcomes at each list, reported every quarter.",
        "corporate_plan_ref": "Council Plan 2025–29, priority 4.1",
        "status": ON_TRACK,
        "progress": 25,
        "milestones": [
            M("Agreement with the court", "2026-05-29", "2026-05-20"),
            M("First year's results to the board", "2027-04-30"),
            M("Second year's results to the board", "2028-04-28"),
        ],
        "updates": [
            U(
                "2026-05-21 11:00",
                "priya",
                ON_TRACK,
                10,
                "The court has agreed to a desk at every possession list from June.",
            ),
            U(
                "2026-08-24 14:00",
                "priya",
                ON_TRACK,
                20,
                "58 tenants seen; 31 hearings adjourned on payment plans.",
            ),
            U(
                "2026-11-09 10:30",
                "tom",
                ON_TRACK,
                25,
                "Our tenancy sustainment team now takes on every case the officer refers to us "
                "within a week.",
            ),
        ],
    },
    {
        "key": "hs-licensing",
        "title": "Consult on selective licensing of private rented homes in Eastgate",
        "description": "Consult landlords, tenants and residents on a selective licensing "
        "scheme for private rented homes in Eastgate, where one home in three is privately "
        "rented.",
        "outcomes": [HOMES],
        "lead": COUNCIL,
        "supporting": [HOUSING, POLICE],
        "start": "2026-04-06",
        "due": "2026-12-18",
        "term": SHORT,
        "amount": "60000",
        "provider": COUNCIL,
        "expected_outputs": "A ten-week consultation and a report to cabinet.",
        "success_measure": "A ten-week consultation with 1,000 responses by December 2026",
        "monitoring": "Responses counted each week; the report goes to cabinet.",
        "status": CANCELLED,
        "progress": 15,
        "milestones": [M("Evidence report on Eastgate's private rented homes", "2026-06-26")],
        "updates": [
            U(
                "2026-06-26 12:00",
                "priya",
                ON_TRACK,
                15,
                "The evidence report on housing conditions in Eastgate is finished.",
            ),
            U(
                "2026-07-22 16:45",
                "priya",
                CANCELLED,
                15,
                "Cancelled by cabinet on 21 July: it will wait for the national private rented "
                "sector database before consulting on a local scheme. The landlord forum will "
                "use the evidence report instead.",
            ),
        ],
    },
    # Issue 24: an information gap of Step 2 turned into an action in one step.
    {
        "key": "sm-mental-health-rates",
        "title": "Find out how many people with a mental illness smoke",
        "description": "Ask the community mental health teams to record smoking status at each "
        "review for six months, so that the partnership knows the rate it is planning for.",
        "gap": "We do not know smoking rates among people with a mental illness",
        "outcomes": [SMOKING],
        "lead": ICB,
        "supporting": [COUNCIL],
        "start": "2027-01-11",
        "due": "2027-07-30",
        "term": SHORT,
        "staff_time": "0.2 FTE of an ICB analyst for six months",
        "expected_outputs": "A smoking rate for adults on the mental health teams' caseloads.",
        "success_measure": "Smoking status recorded at 90% of reviews by July 2027",
        "monitoring": "The ICB's analyst reports the share recorded each month.",
        "milestones": [
            M("Smoking status added to the review form", "2027-02-12"),
            M("Three months of reviews recorded", "2027-04-30"),
        ],
        "status": NOT_STARTED,
        "progress": 0,
    },
]


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _done_at(text: str | None) -> datetime | None:
    # A milestone is ticked off in the afternoon of the day it was done.
    return None if text is None else _moment(f"{text} 16:00")


# Issue 26: what some actions are expected to do to an indicator once fully built up, in its
# units: (indicator, size, low, high, starts, months to build up). Leasing homes takes the
# most families out of temporary accommodation; the clinics and vape kits cut smoking.
EFFECTS = {
    "hs-lease": [("HS-02", -25, -30, -15, "2026-06-01", 12)],
    "hs-end-bed-and-breakfast": [("HS-02", -10, -20, -5, "2026-10-01", 6)],
    "sm-clinics": [("SM-01", -0.6, -1.0, -0.2, "2026-11-01", 12)],
    "sm-vapes": [("SM-01", -0.4, -0.8, 0, "2026-09-01", 6)],
}


def seed_effects(actions: dict[str, Action], indicators: dict) -> None:
    for key, effects in EFFECTS.items():
        for code, size, low, high, starts, months in effects:
            ExpectedEffect.objects.update_or_create(
                action=actions[key],
                indicator=indicators[code],
                defaults={
                    "size": Decimal(str(size)),
                    "low": Decimal(str(low)),
                    "high": Decimal(str(high)),
                    "starts": _day(starts),
                    "build_up_months": months,
                },
            )


# Favoured options' expected effects, stated before they became actions (the same tuples).
# The early-warning scheme's action states no effect on HS-01, so the option's still counts;
# using bed and breakfast less is counted through its actions' own effects on HS-02 instead.
OPTION_EFFECTS = {
    "early-warning": [("HS-01", 3.0, 1.0, 5.0, "2027-01-01", 12)],
    "bed-and-breakfast": [("HS-02", -30, -40, -15, "2026-06-01", 12)],
}


def seed_option_effects(options: dict[str, Option], indicators: dict) -> None:
    for key, effects in OPTION_EFFECTS.items():
        for code, size, low, high, starts, months in effects:
            OptionEffect.objects.update_or_create(
                option=options[key],
                indicator=indicators[code],
                defaults={
                    "size": Decimal(str(size)),
                    "low": Decimal(str(low)),
                    "high": Decimal(str(high)),
                    "starts": _day(starts),
                    "build_up_months": months,
                },
            )


# Two named scenarios for the plan, one of them agreed: (name, actions, external factors,
# agreed, favoured options).
SCENARIOS = [
    ("Only the funded actions", ["hs-lease", "sm-clinics"], [], False, []),
    (
        "Every action, allowance frozen",
        ["hs-lease", "hs-end-bed-and-breakfast", "sm-clinics", "sm-vapes"],
        ["Local housing allowance frozen"],
        True,
        ["early-warning"],
    ),
]


def seed_scenarios(plan: Plan, actions: dict[str, Action], options: dict[str, Option]) -> None:
    for name, keys, factors, agreed, chosen in SCENARIOS:
        scenario, _ = Scenario.objects.update_or_create(
            plan=plan, name=name, defaults={"agreed": agreed}
        )
        scenario.actions.set([actions[key] for key in keys])
        scenario.options.set([options[key] for key in chosen])
        scenario.external_factors.set(
            ExternalFactor.objects.filter(indicator__plan=plan, name__in=factors)
        )


def seed_actions(
    plan: Plan, organisations: dict[str, Organisation], users_by_email: dict[str, User]
) -> None:
    """The demo plan's criteria, options and actions; safe to run again."""
    with transaction.atomic():
        outcomes = {outcome.statement: outcome for outcome in plan.outcomes.all()}
        indicators = {indicator.code: indicator for indicator in plan.indicators.all()}
        criteria = seed_criteria(plan)
        options = {
            key: seed_option(spec, outcomes, criteria, users_by_email[PRIYA])
            for key, spec in OPTIONS.items()
        }
        actions, new = {}, []
        for spec in ACTIONS:
            action, created = seed_action(
                plan, spec, organisations, users_by_email, outcomes, indicators, options
            )
            actions[spec["key"]] = action
            if created:
                new.append((action, spec))
        # Dependencies once every action exists.
        for spec in ACTIONS:
            actions[spec["key"]].depends_on.set([actions[key] for key in spec.get("after", [])])
        for action, spec in new:
            write_history(action, spec, users_by_email)
        seed_effects(actions, indicators)
        seed_option_effects(options, indicators)
        seed_scenarios(plan, actions, options)
        seed_risk_register(plan, actions, options, users_by_email)
        seed_money(plan, organisations, users_by_email, by=users_by_email[PRIYA])  # Issue 24
        seed_frame(plan, actions, options, users_by_email)


# Issue 24: the plan's risk register. Risks to the whole plan, and each outcome's risks scored
# after mitigation, with owners, review dates and the actions and options they threaten.
PLAN_RISKS = [
    {
        "description": "A partner cannot keep staff at the monthly delivery meetings",
        "likelihood": 3,
        "impact": 3,
        "owned_by": PRIYA,
        "mitigation": "Each partner names a deputy; the meeting can be joined online.",
        "after": (2, 3),
        "review_date": "2026-11-02",  # passed: Priya's reminders say so
        "actions": ["sm-recruit"],
    },
    {
        "description": "Council budget cuts in 2027 reduce the money pooled for the plan",
        "likelihood": 4,
        "impact": 4,
        "owned_by": PRIYA,
        "owner": "Partnership board",
        "mitigation": "Agree each partner's share for two years at the March board; keep a "
        "list of actions to stop first if money falls.",
        "after": (3, 3),
        "review_date": "2027-03-15",
        "manageable_locally": False,
        "actions": ["sm-recruit", "hs-outreach"],
        "options": ["clinics"],
    },
]
# The outcomes' risks (outcomes/demo.py): (after mitigation, next review, owner, options).
OUTCOME_RISKS = {
    "Stop-smoking grant ends in 2027": ((2, 5), "2027-01-18", GRACE, ["clinics"]),
    "Temporary accommodation providers leave the market": ((3, 3), "2026-12-14", TOM, []),
}


def seed_risk_register(plan: Plan, actions: dict, options: dict, users_by_email: dict) -> None:
    for spec in PLAN_RISKS:
        likelihood_after, impact_after = spec["after"]
        risk, _ = Risk.objects.update_or_create(
            plan=plan,
            outcome=None,
            description=spec["description"],
            defaults={
                "likelihood": spec["likelihood"],
                "impact": spec["impact"],
                "owned_by": users_by_email[spec["owned_by"]],
                "owner": spec.get("owner", ""),
                "mitigation": spec["mitigation"],
                "likelihood_after": likelihood_after,
                "impact_after": impact_after,
                "review_date": _day(spec["review_date"]),
                "manageable_locally": spec.get("manageable_locally", True),
            },
        )
        risk.threatened_actions.set([actions[key] for key in spec.get("actions", [])])
        risk.threatened_options.set([options[key] for key in spec.get("options", [])])
    for description, (after, review, owner, threatened) in OUTCOME_RISKS.items():
        risk = Risk.objects.filter(plan=plan, description=description).first()
        if risk is None:
            continue
        risk.likelihood_after, risk.impact_after = after
        risk.review_date = _day(review)
        risk.owned_by = users_by_email[owner]
        risk.save(update_fields=["likelihood_after", "impact_after", "review_date", "owned_by"])
        risk.threatened_options.set([options[key] for key in threatened])


# Issue 24: the plan's frame. Who has a stake in it and how each is consulted, the
# communications plan (one item carried out by the landlord forum's action), and the lead's
# declared interest in the council's own hostel, which flags her scores on that option.
STAKEHOLDERS = [
    (
        "Residents of Northfield and Eastgate",
        "They live with the highest smoking rates and the most evictions in the borough.",
        "An online survey, and drop-in sessions at the two libraries",
        "Once a year, before the annual review",
        PRIYA,
    ),
    (
        "Private landlords and letting agents",
        "Most families who lose their home were renting privately.",
        "The landlord forum",
        "Every quarter",
        TOM,
    ),
    (
        "Healthwatch Riverside",
        "Speaks for patients and carers of the hospital discharge and reablement services.",
        "A meeting with its manager",
        "Every quarter",
        GRACE,
    ),
]
COMMUNICATIONS = [
    (
        "Private landlords and letting agents",
        "The early-warning help for tenants in arrears, and whom to call.",
        "At the landlord forum, with a leaflet to take away",
        "Every quarter",
        "hs-forum",
    ),
    (
        "Staff of every partner",
        "The agreed plan, and what their own organisation has signed up to do.",
        "Each partner's staff briefing",
        "The month after the plan is agreed",
        None,
    ),
    (
        "Residents",
        "What the plan achieved in the year, and what changes next.",
        "The council's magazine and website",
        "Each spring, after the annual review",
        None,
    ),
]


def seed_frame(plan: Plan, actions: dict, options: dict, users_by_email: dict) -> None:
    for name, interest, consultation, frequency, holder in STAKEHOLDERS:
        Stakeholder.objects.update_or_create(
            plan=plan,
            name=name,
            defaults={
                "interest": interest,
                "consultation": consultation,
                "frequency": frequency,
                "relationship_holder": users_by_email[holder],
            },
        )
    for audience, message, channel, timing, action in COMMUNICATIONS:
        Communication.objects.update_or_create(
            plan=plan,
            audience=audience,
            defaults={
                "message": message,
                "channel": channel,
                "timing": timing,
                "action": actions[action] if action else None,
            },
        )
    Declaration.objects.update_or_create(
        plan=plan,
        member=users_by_email[PRIYA],
        option=options["hostel"],
        defaults={
            "interest": "The hostel would be run by my own department at the council.",
            "declared_at": DECIDED_AT - timedelta(days=14),
        },
    )


def seed_criteria(plan: Plan) -> list[Criterion]:
    criteria = []
    for order, (name, description, weight) in enumerate(CRITERIA, 1):
        criterion, _ = Criterion.objects.update_or_create(
            plan=plan,
            name=name,
            defaults={"description": description, "weight": weight, "order": order},
        )
        criteria.append(criterion)
    return criteria


def seed_option(
    spec: dict, outcomes: dict[str, Outcome], criteria: list[Criterion], lead: User
) -> Option:
    fields = {"is_pilot": False, "pilot_evaluation": "", "exit_plan": ""} | {
        key: value
        for key, value in spec.items()
        if key not in {"outcome", "title", "scores", "notes"}
    }
    decided = spec["decision"] != Option.Decision.UNDECIDED
    fields["decided_by"] = lead if decided else None
    fields["decided_at"] = DECIDED_AT if decided else None
    option, _ = Option.objects.update_or_create(
        outcome=outcomes[spec["outcome"]], title=spec["title"], defaults=fields
    )
    for position, (criterion, score) in enumerate(zip(criteria, spec["scores"], strict=True)):
        Score.objects.update_or_create(
            option=option,
            criterion=criterion,
            defaults={
                "score": score,
                "note": spec["notes"].get(position, ""),
                "scored_by": lead,
            },
        )
    return option


def _action_fields(spec, organisations, users_by_email, indicators, options, gaps) -> dict:
    owner = OWNERS.get(spec["lead"])
    provider = spec.get("provider")
    amount = spec.get("amount")
    indicator = spec.get("indicator")
    option = spec.get("option")
    gap = spec.get("gap")
    return {
        "source_gap_id": gaps[gap].pk if gap else None,
        "description": spec["description"],
        "option_id": options[option].pk if option else None,
        "lead_organisation_id": organisations[spec["lead"]].pk,
        "owner_id": users_by_email[owner].pk if owner else None,
        "start": _day(spec["start"]),
        "due": _day(spec["due"]),
        "term": spec["term"],
        "resource_amount": Decimal(amount) if amount else None,
        "resource_provider_id": organisations[provider].pk if provider else None,
        "staff_time": spec.get("staff_time", ""),
        "expected_outputs": spec.get("expected_outputs", ""),
        "expected_outcomes": spec.get("expected_outcomes", ""),
        "success_indicator_id": indicators[indicator].pk if indicator else None,
        "success_measure": spec.get("success_measure", ""),
        "monitoring": spec.get("monitoring", ""),
        "corporate_plan_ref": spec.get("corporate_plan_ref", ""),
        "is_key": spec.get("is_key", False),
        "status": spec["status"],
        "progress": spec["progress"],
        "closure": spec.get("closure", Action.Closure.OPEN),
        "completion_evidence": spec.get("completion_evidence", ""),
        "lessons_learned": spec.get("lessons_learned", ""),
    }


def seed_action(plan, spec, organisations, users_by_email, outcomes, indicators, options):
    gaps = {gap.summary: gap for gap in Evidence.objects.filter(outcome__plan=plan, kind="gap")}
    fields = _action_fields(spec, organisations, users_by_email, indicators, options, gaps)
    action = Action.objects.filter(plan=plan, title=spec["title"]).first()
    created = action is None
    if created:
        number, reference = _next_reference(plan)
        action = Action.objects.create(
            plan=plan, number=number, reference=reference, title=spec["title"], **fields
        )
    else:
        changed = [name for name, value in fields.items() if getattr(action, name) != value]
        if changed:
            for name in changed:
                setattr(action, name, fields[name])
            # As any other edit does: a form opened before this is refused, not overwritten.
            action.version += 1
            action.save(update_fields=[*changed, "version", "updated_at"])
    action.outcomes.set([outcomes[statement] for statement in spec["outcomes"]])
    action.supporting_organisations.set([organisations[name] for name in spec["supporting"]])
    for title, due, done_on in spec.get("milestones", []):
        Milestone.objects.update_or_create(
            action=action,
            title=title,
            defaults={"due": _day(due), "done": done_on is not None, "done_at": _done_at(done_on)},
        )
    for when, author, status, progress, note, link in spec.get("updates", []):
        Update.objects.update_or_create(
            action=action,
            created_at=_moment(when),
            note=note,
            defaults={
                "author": users_by_email[AUTHORS[author]],
                "status": status,
                "progress": progress,
                "evidence_link": link,
            },
        )
    # Issue 24: what was spent each quarter, beside what the action commits.
    for quarter, amount, note in spec.get("spend", []):
        Spend.objects.update_or_create(
            action=action,
            quarter=_day(quarter),
            defaults={"amount": Decimal(amount), "note": note},
        )
    for asked, author, due, reason, answer in spec.get("due_requests", []):
        seed_due_request(action, asked, users_by_email[AUTHORS[author]], due, reason, answer)
    return action, created


def _added_on(spec: dict) -> datetime:
    """When the action joined the plan: with the plan's draft, or, for work already under way
    or begun before the draft, two weeks before its start or its first update."""
    began = [_day(spec["start"])] + [_day(update[0][:10]) for update in spec.get("updates", [])]
    return _moment(f"{min(DRAFTED, min(began) - AHEAD)} 10:00")


def write_history(action: Action, spec: dict, users_by_email: dict[str, User]) -> None:
    """The new action's history of changes as it happened, in place of the rows its seeding
    wrote today: added not started, then each update's status and progress on its day (marked
    complete, it waits for a lead), then a lead's confirmation; the last row is the action as
    it now stands. The day it was added is its ``created_at`` too."""
    lead = users_by_email[PRIYA]
    now = {
        name: getattr(action, name)
        for name in ("status", "progress", "closure", "completion_evidence", "lessons_learned")
    }
    added = _added_on(spec)
    steps = [
        (
            added,
            lead,
            {
                "status": NOT_STARTED,
                "progress": 0,
                "closure": OPEN,
                "completion_evidence": "",
                "lessons_learned": "",
            },
        )
    ]
    for when, author, status, progress, *_ in spec.get("updates", []):
        step = {"status": status, "progress": progress}
        if status == COMPLETE:
            step |= {
                "closure": AWAITING,
                "completion_evidence": now["completion_evidence"],
                "lessons_learned": now["lessons_learned"],
            }
        steps.append((_moment(when), users_by_email[AUTHORS[author]], step))
    if now["closure"] == CLOSED:
        steps.append((steps[-1][0] + CONFIRMED_AFTER, lead, {"closure": CLOSED, "progress": 100}))
    Action.history.filter(id=action.pk).delete()
    for number, (when, who, step) in enumerate(steps):
        for name, value in step.items():
            setattr(action, name, value)
        action._history_date = when
        history.record([action], user=who, created=number == 0)
    # An action seeded without the updates that brought it to its state (some of the other
    # methods' plans) was set so by a lead: on its due day if it is finished, else on its start.
    if any(getattr(action, name) != value for name, value in now.items()):
        finished = now["status"] in (COMPLETE, CANCELLED)
        day = min(_day(spec["due"] if finished else spec["start"]), TODAY)
        action._history_date = max(_moment(f"{day} 10:00"), steps[-1][0])
        for name, value in now.items():
            setattr(action, name, value)
        history.record([action], user=lead)
    del action._history_date
    Action.objects.filter(pk=action.pk).update(created_at=added)
    action.created_at = added


def seed_due_request(action, asked: str, by: User, due: str, reason: str, answer) -> None:
    """A request for a new due date, and its answer if it has one, dated when they happened
    (their history too, so the action's history tells the same story)."""
    if DueDateProposal.objects.filter(action=action, proposed_at=_moment(asked)).exists():
        return
    proposal = DueDateProposal.objects.create(
        action=action,
        proposed_by=by,
        proposed_at=_moment(asked),
        was_due=action.due,
        proposed_due=_day(due),
        reason=reason,
    )
    proposal.history.update(history_date=_moment(asked))
    if answer:
        when, lead, verdict, why = answer
        DueDateProposal.objects.filter(pk=proposal.pk).update(
            answer=verdict,
            answered_by=User.objects.get(email=AUTHORS[lead]),
            answered_at=_moment(when),
            answer_reason=why,
        )
        proposal.refresh_from_db()
        history.record([proposal], user=proposal.answered_by)
        proposal.history.filter(history_type="~").update(history_date=_moment(when))


def _next_reference(plan: Plan) -> tuple[int, str]:
    """The plan's next action number, never one used before; the plan's row stays locked until
    the seeding transaction ends."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    number = locked.last_action_number + 1
    Plan.objects.filter(pk=plan.pk).update(last_action_number=number)
    plan.last_action_number = number
    return number, f"A-{number:02d}"
