"""`manage.py seed_demo`: load the 冷水江市 demo data set (renda.core.demo_data).

It lives in portal, the top app, because it writes through the services of every app below.

Idempotent: every object is looked up by its natural key (region code, organization code,
username, station code, a deputy's ID number in a term …) and created through its service only
when missing, so a second run writes nothing. The whole run is one transaction. Deputies go
through `create_deputies_in_bulk`, the import's service, so 597 of them take a fraction of a
second; most of the ~4 s of a first run is hashing the nine demo passwords at full strength.

Two writes do not go through a service because no service fits yet: the 24 other staff
accounts, one officer account for each handling unit and the accounts of nine deputies (who
sign the demo sitting's motions online) are inserted with `bulk_create` sharing one unusable
password (hashing ~60 random passwords at full strength would add a minute), and the demo TOTP
devices get a fixed, published key instead of a random one. Both are audited like a service
write.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from renda.accounts import services as account_services
from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.accounts.models import User
from renda.accounts.services import duties as duty_services
from renda.core import audit, demo_data
from renda.core.fields import make_blind_index
from renda.core.models import Organization, Region
from renda.core.registry import create_organization, create_region
from renda.core.roles import STRICT_ROLES, Duty, Role
from renda.deputies import services as deputy_services
from renda.deputies.models import Delegation, Deputy, Level, Membership, Term
from renda.lib.demo_names import (
    PARTIES_CITY,
    PARTIES_TOWNSHIP,
    PeopleFactory,
    Person,
    weighted,
)
from renda.stations.models import Station
from renda.stations.services import create_station

ACTOR = None  # a system job: audit rows carry no user


class Command(BaseCommand):
    help = "载入冷水江市演示数据（区划、机构、站点、代表、演示账号）。可重复运行；DEBUG 关闭时须加 --force。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="在 DEBUG 关闭时仍然载入（仅限演示环境）"
        )
        parser.add_argument(
            "--registry-only",
            action="store_true",
            help="只载入区划、机构、站点、代表和账号，不载入各模块的演示业务数据",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG 未开启，拒绝载入演示数据：演示账号的密码和动态口令密钥是公开的。"
                "确属演示环境请加 --force。"
            )
        started = time.monotonic()
        with transaction.atomic():
            created = DemoSeeder().run()
        # Each module adds its own year of demo work on top of the registry, idempotently.
        for path in [] if options["registry_only"] else MODULE_LOADERS:
            for label, n in import_string(path)(actor=None).items():
                if n:
                    created[label] = created.get(label, 0) + n
        elapsed = time.monotonic() - started
        if created:
            summary = "，".join(f"{label} {n}" for label, n in created.items())
            self.stdout.write(f"演示数据已载入（{elapsed:.1f} 秒）：新建 {summary}。")
        else:
            self.stdout.write(f"演示数据已是最新，没有新建任何记录（{elapsed:.1f} 秒）。")


# Module demo loaders, called in order after the registry: `loader(actor=...) -> {label: count}`.
MODULE_LOADERS = [
    "renda.stations.demo.load_demo_station_work",
    "renda.suggestions.demo.load_demo_suggestions",
    # After the suggestions demo, whose congress session for the motions has no agenda: the
    # two meetings with an agenda take the next numbers of the city term.
    "renda.meetings.demo.seed_meetings",
    # 双联: SC members' deputies and deputies' constituents, with this and last quarter's contacts.
    "renda.stations.demo.liaison.seed_liaison",
    "renda.budget.demo.seed.load_demo_budget",
    # 知情知政: the year's library and the meetings' documents, once the meetings exist.
    "renda.documents.demo.seed_documents",
    # The exam bank: 371 questions from statute text (renda/exams/demo/bank.json).
    "renda.exams.demo.load_demo_exams",
    # 民生实事票决: last year's vote, plans and 满意度测评; this year's call (after the meetings).
    "renda.livelihood.demo.load_demo_livelihood",
]


class DemoSeeder:
    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.regions: dict[str, Region] = {}
        self.orgs: dict[str, Organization] = {}
        self.terms: dict[str, Term] = {}  # "city" or a township code
        self.delegations: dict[tuple[str, str], Delegation] = {}  # (term key, name)
        self.stations: dict[str, Station] = {}
        self.people = PeopleFactory(demo_data.PEOPLE_SEED)
        # Job titles and employers come from their own generator so that adding a line of
        # job data never shifts the names and ID numbers of everybody after it.
        self.jobs = random.Random(demo_data.PEOPLE_SEED + 1)

    def run(self) -> dict[str, int]:
        self.seed_regions()
        self.seed_organizations()
        self.seed_terms_and_delegations()
        self.seed_stations()
        staff_people = [self.people.person(female_share=0.5, first_year=1965) for _ in range(24)]
        demo_people = [self.people.person() for _ in demo_data.DEMO_ACCOUNTS]
        city_deputies = self.seed_deputies(Level.CITY)
        self.seed_deputies(Level.TOWNSHIP)
        self.seed_memberships(city_deputies)
        self.seed_staff(staff_people)
        self.seed_demo_accounts(demo_people, city_deputies[0])
        self.seed_duties()
        self.seed_officers()
        self.seed_deputy_accounts(city_deputies)
        if self.created:
            audit.record(
                actor=ACTOR, action="demo.seed", username="seed_demo", details=dict(self.created)
            )
        return dict(self.created)

    # --- regions and organizations -----------------------------------------------------

    def _region(self, code: str, name: str, level: str, parent: Region | None) -> Region:
        region = Region.objects.filter(code=code).first()
        if region is None:
            region = create_region(actor=ACTOR, code=code, name=name, level=level, parent=parent)
            self.created["区划"] += 1
        self.regions[code] = region
        return region

    def seed_regions(self) -> None:
        prefecture = self._region(*demo_data.PREFECTURE, Region.Level.PREFECTURE, None)
        county = self._region(*demo_data.COUNTY, Region.Level.COUNTY, prefecture)
        for township in demo_data.TOWNSHIPS:
            self._region(township.code, township.name, township.level, county)

    def _org(self, org: demo_data.Org, region: Region) -> Organization:
        found = Organization.objects.filter(code=org.code).first()
        if found is None:
            found = create_organization(
                actor=ACTOR,
                name=org.name,
                code=org.code,
                kind=org.kind,
                region=region,
                short_name=org.short_name,
                parent=self.orgs.get(org.parent),
                is_handling_unit=org.handling,
            )
            self.created["机构"] += 1
        self.orgs[org.code] = found
        return found

    def seed_organizations(self) -> None:
        county = self.regions[demo_data.COUNTY[0]]
        for org in (
            demo_data.CONGRESS,
            demo_data.STANDING_COMMITTEE,
            *demo_data.SPECIAL_COMMITTEES,
            *demo_data.OFFICES,
            *demo_data.DEPARTMENTS,
        ):
            self._org(org, county)
        for township in demo_data.TOWNSHIPS:
            self._org(demo_data.township_congress(township), self.regions[township.code])

    # --- terms, delegations, stations -------------------------------------------------------

    def _term(
        self, key: str, congress: Organization, level: str, number: int, start: dt.date
    ) -> Term:
        term = Term.objects.filter(congress=congress, number=number).first()
        if term is None:
            term = deputy_services.create_term(
                actor=ACTOR, congress=congress, level=level, number=number, start_date=start
            )
            self.created["届"] += 1
        self.terms[key] = term
        return term

    def _delegation(self, key: str, name: str, region: Region) -> None:
        term = self.terms[key]
        delegation = Delegation.objects.filter(term=term, name=name).first()
        if delegation is None:
            delegation = deputy_services.create_delegation(
                actor=ACTOR, term=term, name=name, region=region
            )
            self.created["代表团（组）"] += 1
        self.delegations[key, name] = delegation

    def seed_terms_and_delegations(self) -> None:
        self._term(
            "city",
            self.orgs["RD"],
            Level.CITY,
            demo_data.CITY_TERM_NUMBER,
            demo_data.CITY_TERM_START,
        )
        for township in demo_data.TOWNSHIPS:
            region = self.regions[township.code]
            self._delegation("city", f"{township.name}代表团", region)
            if township.is_town:
                congress = self.orgs[demo_data.township_congress(township).code]
                self._term(
                    township.code,
                    congress,
                    Level.TOWNSHIP,
                    demo_data.TOWNSHIP_TERM_NUMBER,
                    demo_data.TOWNSHIP_TERM_START,
                )
                for group in demo_data.TOWNSHIP_GROUPS:
                    self._delegation(township.code, f"{township.name}人大{group}", region)

    def seed_stations(self) -> None:
        for township in demo_data.TOWNSHIPS:
            region = self.regions[township.code]
            seat = "人民政府" if township.is_town else "办事处"
            for suffix, kind, name, address, hours in (
                (
                    "01",
                    Station.Kind.STATION,
                    f"{township.name}人大代表联络站",
                    f"{township.name}{seat}便民服务中心二楼",
                    demo_data.STATION_HOURS,
                ),
                (
                    "02",
                    Station.Kind.POINT,
                    f"{township.name}{township.village}代表联络点",
                    f"{township.name}{township.village}党群服务中心",
                    demo_data.POINT_HOURS,
                ),
            ):
                code = f"{township.code}-{suffix}"
                station = Station.objects.filter(code=code).first()
                if station is None:
                    station = create_station(
                        actor=ACTOR,
                        code=code,
                        name=name,
                        kind=kind,
                        region=region,
                        address=address,
                        opening_hours=hours,
                    )
                    self.created["代表工作站点"] += 1
                self.stations[code] = station

    # --- deputies -------------------------------------------------------------------------

    def _job(self, category: str, township: demo_data.Township) -> tuple[str, str]:
        """(employer, occupation) for a deputy of this category living in this township."""
        rng = self.jobs
        village = rng.choice(demo_data.VILLAGES)
        place = f"{township.name}{village}{'村' if township.is_town else '社区'}"
        if category == "cadre":
            if rng.random() < 0.5:
                body = "人民政府" if township.is_town else "办事处"
                return f"{township.name}{body}", rng.choice(
                    ["党委书记", "镇长", "副镇长", "人大主席", "党工委副书记"]
                    if township.is_town
                    else ["党工委书记", "主任", "副主任", "人大工委主任"]
                )
            dept = rng.choice(demo_data.DEPARTMENTS)
            return dept.name, rng.choice(["局长", "党组书记", "副局长"])
        if category == "worker":
            return rng.choice(demo_data.ENTERPRISES), rng.choice(
                ["工人", "班组长", "技术员", "车间主任", "电工"]
            )
        if category == "farmer":
            return place, rng.choice(
                ["村民", "种粮大户", "党总支书记", "村民委员会主任", "养殖户", "专业合作社理事长"]
            )
        if category == "professional":
            if rng.random() < 0.4:
                employer = f"{township.name}{rng.choice(['中心学校', '卫生院'])}"
                return employer, "教师" if employer.endswith("学校") else "医师"
            employer, titles = rng.choice(demo_data.INSTITUTIONS)
            return employer, rng.choice(titles)
        if category == "enterprise":
            return rng.choice(demo_data.ENTERPRISES), rng.choice(["董事长", "总经理", "执行董事"])
        if category == "military":
            return "冷水江市人民武装部", rng.choice(["部长", "政治委员"])
        return rng.choice(
            [
                (f"{township.name}{village}社区居民委员会", "主任"),
                ("个体工商户", "经营者"),
                (place, "网格员"),
            ]
        )

    def _deputy_fields(
        self, level: str, township: demo_data.Township, index: int, person: Person
    ) -> dict[str, Any]:
        categories = (
            demo_data.CITY_CATEGORIES if level == Level.CITY else demo_data.TOWNSHIP_CATEGORIES
        )
        category = weighted(self.jobs, categories)
        employer, occupation = self._job(category, township)
        parties = PARTIES_CITY if level == Level.CITY else PARTIES_TOWNSHIP
        if level == Level.CITY:
            delegation = self.delegations["city", f"{township.name}代表团"]
            station = self.stations[f"{township.code}-01"]
        else:
            group = demo_data.TOWNSHIP_GROUPS[index % len(demo_data.TOWNSHIP_GROUPS)]
            delegation = self.delegations[township.code, f"{township.name}人大{group}"]
            station = self.stations[f"{township.code}-0{1 + index % 2}"]
        return {
            "name": person.name,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date,
            "party": weighted(self.jobs, parties),
            "education": person.education,
            "occupation": occupation,
            "employer": employer,
            "category": category,
            "region": self.regions[township.code],
            "delegation": delegation,
            "facts": {"station": station},  # kept by stations (StationMember)
            "id_number": person.id_number,
            "mobile": person.mobile,
            "elected_on": demo_data.ELECTION_DAY,
        }

    def seed_deputies(self, level: str) -> list[Deputy]:
        """Create the deputies of one level; return them (existing or new) in seat order."""
        planned: list[tuple[Term, dict[str, Any]]] = []
        for township in demo_data.TOWNSHIPS:
            seats = township.city_deputies if level == Level.CITY else township.township_deputies
            if not seats:
                continue
            term = self.terms["city" if level == Level.CITY else township.code]
            for index in range(seats):
                person = self.people.person(female_share=0.3)
                planned.append((term, self._deputy_fields(level, township, index, person)))
        term_ids = {term.pk for term, _ in planned}

        def registered() -> dict[tuple[int, str], int]:
            rows = Deputy.objects.filter(term_id__in=term_ids).values_list(
                "term_id", "id_number_index", "pk"
            )
            return {(term_id, index): pk for term_id, index, pk in rows}

        keys = [(term.pk, make_blind_index(fields["id_number"])) for term, fields in planned]
        existing = registered()
        missing = [
            {"term": term, **fields}
            for (term, fields), key in zip(planned, keys, strict=True)
            if key not in existing
        ]
        if missing:
            new = deputy_services.create_deputies_in_bulk(actor=ACTOR, records=missing)
            self.created["市人大代表" if level == Level.CITY else "乡镇人大代表"] += new
            existing = registered()
        return [
            Deputy(pk=existing[key], term=term, **{k: v for k, v in fields.items() if k != "facts"})
            for (term, fields), key in zip(planned, keys, strict=True)
        ]

    def seed_memberships(self, city_deputies: list[Deputy]) -> None:
        """The standing committee (25) and the special committees (a chair and two members
        each) are drawn from the city deputies, in a fixed order."""
        start = demo_data.CITY_TERM_START
        seats: list[tuple[Deputy, str, str]] = []
        pool = iter(city_deputies[1:])  # the first one is the demo deputy's own record
        for index in range(25):
            role = "主任" if index == 0 else "副主任" if index < 5 else "委员"
            seats.append((next(pool), "RD-CWH", role))
        for committee in demo_data.SPECIAL_COMMITTEES:
            for role in ("主任委员", "委员", "委员"):
                seats.append((next(pool), committee.code, role))
        existing = set(
            Membership.objects.filter(deputy__in=[d.pk for d, _, _ in seats]).values_list(
                "deputy_id", "organization__code"
            )
        )
        for deputy, code, role in seats:
            if (deputy.pk, code) in existing:
                continue
            deputy_services.add_membership(
                actor=ACTOR,
                deputy=deputy,
                organization=self.orgs[code],
                role=role,
                start_date=start,
            )
            self.created["任职"] += 1

    # --- accounts -------------------------------------------------------------------------

    def seed_staff(self, people: list[Person]) -> None:
        """24 members of staff besides the demo account. They get an unusable password (the
        system administrator issues one), so one hash serves them all."""
        posts = [code for code, count in demo_data.STAFF_POSTS for _ in range(count)]
        self._bulk_accounts(
            "工作人员账号",
            Role.STAFF,
            [
                (f"staff{n:02d}", person.name, self.orgs[code], person.mobile)
                for n, (code, person) in enumerate(zip(posts, people, strict=True), start=1)
            ],
        )

    def seed_officers(self) -> None:
        """An officer account for every handling unit that has none (the demo
        `handling_officer` is 住建局's)."""
        staffed = set(
            User.objects.filter(role=Role.HANDLING_OFFICER).values_list(
                "organization__code", flat=True
            )
        )
        self._bulk_accounts(
            "承办单位账号",
            Role.HANDLING_OFFICER,
            [
                (f"officer_{o.code.lower().replace('-', '_')}", f"{o.short_name}经办人", org, "")
                for o in demo_data.DEPARTMENTS
                if o.handling and o.code not in staffed
                for org in [self.orgs[o.code]]
            ],
        )

    def seed_deputy_accounts(self, city_deputies: list[Deputy]) -> None:
        """Nine city deputies from across the county log in too (they sign motions online)."""
        chosen = city_deputies[10::22][:9]
        new = self._bulk_accounts(
            "代表账号",
            Role.DEPUTY,
            [(f"deputy{n:02d}", d.name, None, d.mobile) for n, d in enumerate(chosen, start=2)],
        )
        for user in new:
            deputy = Deputy.objects.get(pk=chosen[int(user.username[6:]) - 2].pk)
            deputy_services.update_deputy(actor=ACTOR, deputy=deputy, user=user)

    def _bulk_accounts(
        self, label: str, role: str, rows: list[tuple[str, str, Organization | None, str]]
    ) -> list[User]:
        existing = set(
            User.objects.filter(username__in=[r[0] for r in rows]).values_list(
                "username", flat=True
            )
        )
        unusable = make_password(None)
        users = []
        for username, name, org, mobile in rows:
            if username in existing:
                continue
            user = User(
                username=username,
                name=name,
                role=role,
                organization=org,
                mobile=mobile,
                password=unusable,
                must_change_password=True,
            )
            user.mobile_index = make_blind_index(user.mobile) if mobile else ""
            user.full_clean()
            users.append(user)
        if users:
            User.objects.bulk_create(users)
            audit.record(
                actor=ACTOR,
                action="user.bulk_create",
                username="seed_demo",
                details={"role": role, "usernames": [u.username for u in users]},
            )
            self.created[label] += len(users)
        return [User.objects.get(username=u.username) for u in users]

    def seed_duties(self) -> None:
        for code, duties in demo_data.OFFICE_DUTIES.items():
            duty_services.set_office_duties(
                actor=ACTOR, organization=self.orgs[code], duties=duties
            )
        staff = User.objects.get(username="staff")
        for duty in Duty.values:
            if not staff.holds_duty(duty):
                duty_services.grant_personal_duty(
                    actor=ACTOR, user=staff, duty=duty, reason=demo_data.DEMO_STAFF_GRANT_REASON
                )

    def seed_demo_accounts(self, people: list[Person], demo_deputy: Deputy) -> None:
        for account, person in zip(demo_data.DEMO_ACCOUNTS, people, strict=True):
            user = User.objects.filter(username=account.username).first()
            if user is None:
                is_deputy = account.role == Role.DEPUTY
                user = account_services.create_user(
                    actor=ACTOR,
                    username=account.username,
                    name=demo_deputy.name if is_deputy else account.name,
                    role=account.role,
                    password=demo_data.DEMO_PASSWORD,
                    organization=self.orgs.get(account.organization),
                    mobile=demo_deputy.mobile if is_deputy else person.mobile,
                    must_change_password=False,
                )
                self.created["演示账号"] += 1
            if account.role == Role.DEPUTY and not Deputy.objects.filter(user=user).exists():
                deputy = Deputy.objects.get(pk=demo_deputy.pk)
                deputy_services.update_deputy(actor=ACTOR, deputy=deputy, user=user)
            if account.role in STRICT_ROLES:
                self._demo_totp(user)

    def _demo_totp(self, user: User) -> None:
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return
        device = TOTPDevice(
            user=user,
            name=demo_data.DEMO_TOTP_DEVICE_NAME,
            key=demo_data.DEMO_TOTP_KEY_HEX,
            confirmed=True,
        )
        device.full_clean()
        device.save()
        audit.record(actor=ACTOR, action="otp.demo_device", target=user, username="seed_demo")
        self.created["演示动态口令"] += 1
