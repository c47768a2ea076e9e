"""manage.py verify_ballots <vote id> [--round N] [--fingerprint HEX]: recompute each sealed
round's ballot hashes, chain and fingerprint from the stored ballots; with --fingerprint, hold
the result against the one printed in the 计票报告 and signed by the 总监票人. Exit status 1
when any round fails. A 满意度测评 is a vote too (kind satisfaction, the same ballot box): its
ballots are checked the same way, its validity by the satisfaction rule (every 测评票 valid)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.livelihood.chain import grouped
from renda.livelihood.models import Round, Vote
from renda.livelihood.selectors import verify_round


class Command(BaseCommand):
    help = "核验民生实事票决（含满意度测评）的票箱：重算选票哈希链和票箱指纹。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("vote", type=int, help="票决编号")
        parser.add_argument("--round", type=int, default=None, help="只核验这一轮")
        parser.add_argument("--fingerprint", default="", help="计票报告上签字的票箱指纹")

    def handle(self, *args: Any, **options: Any) -> None:
        vote = Vote.objects.filter(pk=options["vote"]).first()
        if vote is None:
            raise CommandError(f"没有编号为 {options['vote']} 的票决。")
        rounds = vote.rounds.filter(state__in=[Round.State.CLOSED, Round.State.COUNTED])
        if options["round"] is not None:
            rounds = rounds.filter(number=options["round"])
        rounds = rounds.order_by("number")
        if not rounds:
            raise CommandError("这项票决还没有结束投票的轮次。")
        failed = False
        for r in rounds:
            report = verify_round(r, expected=options["fingerprint"])
            label = f"第{r.number}轮"
            if report.ok:
                self.stdout.write(
                    f"{label}：通过，{report.checked} 张选票，票箱指纹 {grouped(report.fingerprint)}"
                )
            else:
                failed = True
                self.stdout.write(f"{label}：未通过：{report.reason}（已核验 {report.checked} 张）")
        if failed:
            raise CommandError("票箱核验未通过。", returncode=1)
