"""The three built-in survey templates, in English, Vietnamese and Turkish.

The data lives in this migration (not imported from the app) so that the migration means the
same thing forever; HR edits the templates afterwards in the browser.
"""

from django.db import migrations

LIKERT, NPS, CHOICE, TEXT, CONFIDENCE = "likert", "nps", "choice", "text", "topic_confidence"

TEMPLATES = [
    {
        "key": "session-pulse",
        "is_anonymous": False,
        "name": ("Session pulse", "Khảo sát nhanh sau buổi gặp", "Oturum sonrası kısa anket"),
        "questions": [
            {
                "kind": LIKERT,
                "key": "session_rating",
                "text": (
                    "How useful was this session for you?",
                    "Buổi gặp này hữu ích với bạn đến mức nào?",
                    "Bu oturum sizin için ne kadar faydalıydı?",
                ),
            },
            {
                "kind": CHOICE,
                "key": "fit",
                "text": (
                    "How is your pairing working out?",
                    "Cặp của bạn đang phù hợp đến đâu?",
                    "Eşleşmeniz nasıl gidiyor?",
                ),
                "choices": (
                    "A good fit\nStill deciding\nNot a good fit",
                    "Rất phù hợp\nChưa chắc chắn\nKhông phù hợp",
                    "Uyumlu\nHenüz karar vermedim\nUyumlu değil",
                ),
            },
            {
                "kind": TEXT,
                "key": "",
                "required": False,
                "text": (
                    "Anything you would like to add?",
                    "Bạn có muốn chia sẻ thêm điều gì không?",
                    "Eklemek istediğiniz bir şey var mı?",
                ),
            },
        ],
    },
    {
        "key": "mid-program",
        "is_anonymous": True,
        "name": ("Mid-program check-in", "Khảo sát giữa chương trình", "Program ortası anketi"),
        "questions": [
            {
                "kind": LIKERT,
                "key": "learning",
                "text": (
                    "I am learning what I hoped to learn.",
                    "Tôi đang học được những điều tôi mong muốn.",
                    "Öğrenmeyi umduğum şeyleri öğreniyorum.",
                ),
            },
            {
                "kind": LIKERT,
                "key": "rhythm",
                "text": (
                    "We meet as often as we planned.",
                    "Chúng tôi gặp nhau đều đặn như đã dự định.",
                    "Planladığımız sıklıkta görüşüyoruz.",
                ),
            },
            {
                "kind": TEXT,
                "key": "",
                "required": False,
                "text": (
                    "What would make the program better for you?",
                    "Điều gì sẽ giúp chương trình tốt hơn cho bạn?",
                    "Program sizin için nasıl daha iyi olabilir?",
                ),
            },
        ],
    },
    {
        "key": "end-of-program",
        "is_anonymous": True,
        "name": ("End of program", "Khảo sát cuối chương trình", "Program sonu anketi"),
        "questions": [
            {
                "kind": NPS,
                "key": "program_nps",
                "text": (
                    "How likely are you to recommend this program to a colleague?",
                    "Bạn có sẵn lòng giới thiệu chương trình này cho đồng nghiệp không?",
                    "Bu programı bir iş arkadaşınıza tavsiye etme olasılığınız nedir?",
                ),
            },
            {
                "kind": TEXT,
                "key": "learned",
                "required": False,
                "text": (
                    "What is the most important thing you learned?",
                    "Điều quan trọng nhất bạn đã học được là gì?",
                    "Öğrendiğiniz en önemli şey neydi?",
                ),
            },
            {
                "kind": CONFIDENCE,
                "key": "confidence",
                "text": (
                    "How confident do you feel now in each of your topics?",
                    "Giờ đây bạn tự tin đến đâu với từng chủ đề của mình?",
                    "Konularınızın her birinde kendinizi şimdi ne kadar yetkin hissediyorsunuz?",
                ),
            },
            {
                "kind": CHOICE,
                "key": "continue",
                "text": (
                    "Would you like to keep meeting your partner after the program?",
                    "Bạn có muốn tiếp tục gặp người cùng cặp sau chương trình không?",
                    "Program bittikten sonra mentorluk partnerinizle görüşmeye devam etmek "
                    "ister misiniz?",
                ),
                "choices": ("Yes\nMaybe\nNo", "Có\nCó thể\nKhông", "Evet\nBelki\nHayır"),
            },
        ],
    },
]


def add_builtin_templates(apps, schema_editor):
    SurveyTemplate = apps.get_model("feedback", "SurveyTemplate")
    Question = apps.get_model("feedback", "Question")
    for spec in TEMPLATES:
        name, name_vi, name_tr = spec["name"]
        template, _ = SurveyTemplate.objects.update_or_create(
            key=spec["key"],
            defaults={
                "name": name,
                "name_vi": name_vi,
                "name_tr": name_tr,
                "is_anonymous": spec["is_anonymous"],
            },
        )
        for position, question in enumerate(spec["questions"], start=1):
            text, text_vi, text_tr = question["text"]
            choices, choices_vi, choices_tr = question.get("choices", ("", "", ""))
            Question.objects.update_or_create(
                template=template,
                position=position,
                defaults={
                    "kind": question["kind"],
                    "key": question["key"],
                    "text": text,
                    "text_vi": text_vi,
                    "text_tr": text_tr,
                    "choices": choices,
                    "choices_vi": choices_vi,
                    "choices_tr": choices_tr,
                    "required": question.get("required", True),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_surveys_and_deliveries")]

    operations = [migrations.RunPython(add_builtin_templates, migrations.RunPython.noop)]
