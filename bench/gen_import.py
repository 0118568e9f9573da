#!/usr/bin/env python3
"""Generates a `fuyi import` CSV file of historical cases, and the SQL that creates the
respondents the file names.

    python3 bench/gen_import.py --rows 100000 --out cases.csv --respondents-sql respondents.sql

Plain Python 3, no dependencies. The same --seed gives the same file. Cases are spread evenly
over --from-year..--to-year (default 2016-2025) across a city (code `city`) and three districts
(`d1`, `d2`, `d3`, created beforehand with `fuyi organ add`), each with one respondent per
administrative domain (two for the city). Outcomes follow roughly the shares of a published annual
report: about one in ten applications not accepted; of the accepted, most upheld or rejected,
about one in six corrected, the rest mediated, terminated (mostly withdrawn) or dismissed; cases
whose conclusion would fall after --to-year stay open.
"""

import argparse
import csv
import datetime as dt
import random
import sys

DOMAINS = [
    ("public_security", "公安局"),
    ("market_regulation", "市场监督管理局"),
    ("natural_resources", "自然资源和规划局"),
    ("human_resources", "人力资源和社会保障局"),
    ("housing_construction", "住房和城乡建设局"),
    ("transport", "交通运输局"),
    ("ecology_environment", "生态环境局"),
    ("urban_management", "城市管理局"),
    ("taxation", "税务局"),
    ("health", "卫生健康委员会"),
    ("education", "教育局"),
    ("other", "信访局"),
]

# (organ code, place name, share of cases, respondents per domain)
ORGANS = [("city", "福州市", 0.55, 2), ("d1", "鼓楼区", 0.15, 1), ("d2", "台江区", 0.15, 1),
          ("d3", "仓山区", 0.15, 1)]

CHANNELS = [("online", 40), ("in_person", 30), ("post", 20), ("fax_or_email", 4), ("oral", 3),
            ("forwarded", 3)]
ACT_TYPES = [("administrative_penalty", 35), ("information_disclosure", 15),
             ("failure_to_perform", 10), ("licensing", 8), ("confirmation", 6),
             ("compulsory_measure", 6), ("expropriation", 5), ("work_injury", 5),
             ("compulsory_enforcement", 3), ("administrative_agreement", 2), ("compensation", 2),
             ("other", 3)]
# Terminal states of accepted cases, weighted.
OUTCOMES = [("upheld", 44), ("request_rejected", 10), ("revoked", 9), ("confirmed_illegal", 4),
            ("ordered_to_perform", 2), ("altered", 1), ("confirmed_invalid", 1),
            ("application_dismissed", 6), ("mediated", 5), ("terminated", 18)]
TERMINATION = [("withdrawn", 80), ("settled", 12), ("applicant_died_no_successor", 2),
               ("entity_ended_no_successor", 2), ("criminal_measures", 4)]
DECLINE = [("inadmissible", 60), ("time_barred", 25), ("no_jurisdiction", 15)]
SUSPENSION = ["related_case_pending", "force_majeure", "mediation_or_settlement", "other"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"

COLUMNS = ["organ", "received_on", "channel", "applicant_name", "applicant_kind", "respondent",
           "act_type", "act_document_number", "act_date", "learned_on", "amount_fen", "request",
           "reasons", "state", "procedure", "simplified_ground", "accepted_on", "declined_on",
           "decline_reason", "copy_sent_on", "reply_received_on", "heard_on", "hearings_held",
           "suspended_on", "suspension_ground", "suspended_days", "extension_days",
           "concluded_on", "termination_ground", "decision_document_number", "partial",
           "remake_ordered", "comply_within_days"]


def respondents():
    """(organ code, name, credit code, domain, how the file names it) of every respondent."""
    out = []
    serial = 0
    for organ, place, _, per_domain in ORGANS:
        for domain, agency in DOMAINS:
            for k in range(per_domain):
                serial += 1
                name = f"{place}{agency}" + (f"第{k + 1}分局" if k else "")
                code = f"1135010{serial:011d}"
                # District cases name their respondent by credit code, the city's by name, so
                # both ways of naming one are exercised.
                key = name if organ == "city" else code
                out.append((organ, name, code, domain, key))
    return out


def weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def row(rng, organ, respondent_key, year, last_day):
    first = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), last_day)
    received = first + dt.timedelta(days=rng.randrange((end - first).days + 1))
    act_date = received - dt.timedelta(days=rng.randint(3, 55))
    learned = min(received, act_date + dt.timedelta(days=rng.randint(0, 6)))
    kind = "legal_person" if rng.random() < 0.15 else "natural_person"
    applicant = (rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                 if kind == "natural_person" else f"福州{rng.choice(GIVEN)}{rng.choice(GIVEN)}有限公司")
    act_type = weighted(rng, ACT_TYPES)
    r = dict.fromkeys(COLUMNS, "")
    r.update(organ=organ, received_on=received, channel=weighted(rng, CHANNELS),
             applicant_name=applicant, applicant_kind=kind, respondent=respondent_key,
             act_type=act_type, act_document_number=f"榕{year}-{rng.randrange(1, 99999)}号",
             act_date=act_date, learned_on=learned,
             amount_fen=rng.randrange(10000, 5000000) if act_type == "administrative_penalty" else "",
             request="请求撤销该行政行为", reasons="认定事实不清，证据不足，适用依据错误")
    if rng.random() < 0.10:
        r.update(state="not_accepted", declined_on=received + dt.timedelta(days=rng.randint(1, 7)),
                 decline_reason=weighted(rng, DECLINE))
        return r
    simplified = rng.random() < 0.2
    accepted = received + dt.timedelta(days=rng.randint(0, 6))
    r.update(procedure="simplified" if simplified else "ordinary", accepted_on=accepted)
    if simplified:
        r["simplified_ground"] = "small_amount"
    copy = accepted + dt.timedelta(days=rng.randint(1, 5))
    reply = copy + dt.timedelta(days=rng.randint(3, 12))
    heard = reply + dt.timedelta(days=rng.randint(1, 15))
    extension = rng.choice([10, 20, 30]) if not simplified and rng.random() < 0.1 else 0
    suspended = rng.randint(5, 40) if rng.random() < 0.05 else 0
    span = rng.randint(8, 28) if simplified else rng.randint(25, 58)
    concluded = max(heard, accepted + dt.timedelta(days=span + extension + suspended))
    if concluded > last_day:
        # Still open at the end of the generated period, with the steps taken by then.
        r["state"] = "heard" if heard <= last_day else "filed"
        for column, day in (("copy_sent_on", copy), ("reply_received_on", reply),
                            ("heard_on", heard)):
            if day <= last_day:
                r[column] = day
        return r
    state = weighted(rng, OUTCOMES)
    r.update(state=state, copy_sent_on=copy, reply_received_on=reply, heard_on=heard,
             concluded_on=concluded, suspended_days=suspended or "",
             extension_days=extension or "")
    if rng.random() < 0.03:
        r["hearings_held"] = 1
    if state == "terminated":
        r["termination_ground"] = weighted(rng, TERMINATION)
    if state in ("upheld", "request_rejected", "revoked", "confirmed_illegal", "ordered_to_perform",
                 "altered", "confirmed_invalid", "mediated"):
        r["decision_document_number"] = f"榕政复决〔{concluded.year}〕{rng.randrange(1, 9999)}号"
    if state == "revoked":
        r["partial"] = "true" if rng.random() < 0.2 else ""
        if rng.random() < 0.5:
            r.update(remake_ordered="true", comply_within_days=60)
    if state == "ordered_to_perform":
        r["comply_within_days"] = 30
    return r


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--out", default="-", help="CSV file (default: standard output)")
    p.add_argument("--from-year", type=int, default=2016)
    p.add_argument("--to-year", type=int, default=2025)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--respondents-sql", help="also write the SQL creating the respondents here")
    args = p.parse_args()
    rng = random.Random(args.seed)
    everyone = respondents()
    if args.respondents_sql:
        with open(args.respondents_sql, "w", encoding="utf-8") as f:
            f.write("-- Respondents named by bench/gen_import.py; the organs exist already.\n")
            for organ, name, code, domain, _ in everyone:
                f.write("INSERT INTO respondents (id, organ_id, name, credit_code, domain) "
                        f"SELECT gen_random_uuid(), id, '{name}', '{code}', '{domain}' "
                        f"FROM organs WHERE code = '{organ}' ON CONFLICT DO NOTHING;\n")
    by_organ = {code: [key for o, _, _, _, key in everyone if o == code] for code, *_ in ORGANS}
    organs = [code for code, *_ in ORGANS]
    shares = [share for _, _, share, _ in ORGANS]
    years = list(range(args.from_year, args.to_year + 1))
    last_day = dt.date(args.to_year, 12, 31)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="")
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for i in range(args.rows):
        organ = rng.choices(organs, shares)[0]
        # Even over the years: row i falls in year i mod n, so every year gets its share.
        year = years[i % len(years)]
        writer.writerow(row(rng, organ, rng.choice(by_organ[organ]), year, last_day))
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
