# The duty score rules moved to deputies (deputies 0004 takes over the table and its rows):
# here the model only leaves suggestions' state; the table is not dropped.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
        ("deputies", "0004_scorerule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ScoreRule")],
            database_operations=[],
        ),
    ]
