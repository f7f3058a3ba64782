from django.db import migrations

# The six signal types as they shipped with this migration, copied here so that editing them later never changes
# what this migration did.
DEFAULT_SIGNAL_TYPES = [
    {
        "slug": "visit",
        "name": "Visit",
        "colour": "#4c78a8",
        "cameo_codes": "042, 043",
        "description": (
            "An official, leader, military or parliamentary delegation visit or summit between the two countries: "
            "planned, under way or just held."
        ),
    },
    {
        "slug": "denial",
        "name": "Denial",
        "colour": "#e45756",
        "cameo_codes": "016",
        "description": (
            "Either side (officials, embassies, state media) denies or dismisses arms transfers, troop deployments "
            "or other military cooperation."
        ),
    },
    {
        "slug": "arms_deal",
        "name": "Arms deal",
        "colour": "#b279a2",
        "cameo_codes": "072, 0332, 062",
        "description": (
            "A reported, alleged, agreed or confirmed transfer of weapons, munitions, missiles or troops between "
            "them, or a military supply or defence agreement."
        ),
    },
    {
        "slug": "drill",
        "name": "Drill",
        "colour": "#f58518",
        "cameo_codes": "062 (joint exercises), 15x (shows of force)",
        "description": (
            "Military exercises involving either of them together (joint or trilateral; held, planned or proposed), "
            "or US, South Korean and Japanese exercises discussed as the counterweight to this relationship."
        ),
    },
    {
        "slug": "tech_transfer",
        "name": "Technology transfer",
        "colour": "#72b7b2",
        "cameo_codes": "061, 071, 073 (no exact CAMEO code)",
        "description": (
            "Help with satellites, space launch, nuclear submarines, missile, rocket or aviation technology."
        ),
    },
    {
        "slug": "aid_trade",
        "name": "Aid and trade",
        "colour": "#54a24b",
        "cameo_codes": "061, 071, 073 (no exact CAMEO code)",
        "description": (
            "Food or economic aid, trade, energy deliveries, cash, sanctions evasion, labour, transport links."
        ),
    },
]


def add_default_signal_types(apps, schema_editor):
    SignalType = apps.get_model("tracker", "SignalType")
    for order, values in enumerate(DEFAULT_SIGNAL_TYPES):
        SignalType.objects.get_or_create(slug=values["slug"], defaults={**values, "sort_order": order})


def remove_default_signal_types(apps, schema_editor):
    SignalType = apps.get_model("tracker", "SignalType")
    SignalType.objects.filter(slug__in=[values["slug"] for values in DEFAULT_SIGNAL_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]
    operations = [migrations.RunPython(add_default_signal_types, remove_default_signal_types)]
