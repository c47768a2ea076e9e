"""The deputy's station now lives in stations (StationMember, stations/0006 copied every
value first); the column goes. Reversible: it comes back empty and stations/0006's reverse
step fills it again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0004_scorerule"),
        ("stations", "0006_stationmember"),
    ]

    operations = [
        migrations.RemoveField(model_name="deputy", name="station"),
    ]
