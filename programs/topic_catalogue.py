"""The topics of the two source articles, seeded into every new installation.

Names are marked for translation so that the catalogues carry them; seeding stores each
language's name on the topic, where HR can edit it.
"""

from django.utils.translation import gettext_noop

SEED_TOPICS: list[tuple[str, str]] = [
    ("ai-automation", gettext_noop("AI and automation tools")),
    ("social-media-tiktok", gettext_noop("Social media and TikTok")),
    ("influencer-marketing", gettext_noop("Influencer marketing")),
    ("gen-z-consumer-insight", gettext_noop("Gen Z consumer insight")),
    ("slang-online-culture", gettext_noop("Slang and online culture")),
    ("project-tools", gettext_noop("Project tools such as Trello or Asana")),
    ("data-analysis-tools", gettext_noop("Data analysis tools")),
    ("new-communication-tools", gettext_noop("New communication tools")),
    ("flexible-hybrid-work", gettext_noop("Flexible and hybrid work")),
    ("sustainability-csr", gettext_noop("Sustainability and social responsibility")),
    ("diversity-inclusion", gettext_noop("Diversity and inclusion")),
]
