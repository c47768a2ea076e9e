"""The laws every 任前考试 bank starts from (reference/exam.md §0: the common part and the
parts by position category). Staff add sub-topics and other laws on the topic page."""

from django.db import migrations

LAWS = (
    "宪法",
    "选举法",
    "地方组织法",
    "代表法",
    "监督法",
    "立法法",
    "预算法",
    "公务员法",
    "监察法",
    "行政处罚法",
    "行政许可法",
    "行政复议法",
    "行政诉讼法",
    "国家赔偿法",
    "法官法",
    "检察官法",
    "人民法院组织法",
    "人民检察院组织法",
    "民法典",
)


def add_laws(apps, schema_editor):
    Topic = apps.get_model("exams", "Topic")
    for order, name in enumerate(LAWS, start=1):
        Topic.objects.get_or_create(name=name, parent=None, defaults={"order": order * 10})


def remove_laws(apps, schema_editor):
    Topic = apps.get_model("exams", "Topic")
    Topic.objects.filter(parent=None, name__in=LAWS, children=None, questions=None).delete()


class Migration(migrations.Migration):
    dependencies = [("exams", "0001_question_bank")]

    operations = [migrations.RunPython(add_laws, remove_laws)]
