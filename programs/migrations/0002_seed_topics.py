"""Seed the topic catalogue with the topics of the two source articles, in every language."""

from django.db import migrations
from django.utils import translation


def seed_topics(apps, schema_editor):
    from programs.topic_catalogue import SEED_TOPICS

    Topic = apps.get_model("programs", "Topic")
    for slug, name in SEED_TOPICS:
        names = {}
        for language in ("vi", "tr"):
            with translation.override(language):
                translated = translation.gettext(name)
            names[f"name_{language}"] = translated if translated != name else ""
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, **names})


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(seed_topics, migrations.RunPython.noop)]
