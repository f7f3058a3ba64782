"""The tagger on its own: signals, relevance, languages, evidence, confidence, versions and rules as data.

Pure tests: the tagger is compiled from the shipped lexicon, no database is involved.
"""

import json
import math
import re

import pytest

from tracker.models import Rule, SignalType
from tracker.signal_types import DEFAULT_SIGNAL_TYPES
from tracker.tagging.engine import Result, Tagger, context_levels
from tracker.tagging.language import detect_language
from tracker.tagging.matcher import Matcher
from tracker.tagging.relevance import relevance_features
from tracker.tagging.rules import DEFAULT_RULES_PATH, RuleSpec, identity, load_default_rules
from tracker.tagging.text import Document, fold


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.compile(load_default_rules())


def signals_of(tagger: Tagger, title: str, text: str = "") -> set[str]:
    return {hit.signal for hit in tagger.assess(title, text).signals}


# --- Signals: positive, negative and hard cases in English, Russian and Korean ----------------------------------

# fmt: off
SIGNAL_CASES = [
    # (signal, expected, title, text)
    ("visit", True, "Shoigu arrives in Pyongyang",
     "Russia's Security Council secretary Sergei Shoigu arrived in Pyongyang on Monday for talks with Kim Jong Un."),
    ("visit", True, "Kim to travel to Russia",
     "North Korean leader Kim Jong Un will visit Russia next week at Vladimir Putin's invitation, the Kremlin said."),
    ("visit", False, "Putin and Kim speak by phone",
     "Vladimir Putin and Kim Jong Un held a telephone conversation on Friday and discussed bilateral ties."),
    ("visit", False, "Kremlin: no plans for Putin trip to North Korea",
     "The Kremlin said President Vladimir Putin has no plans to visit North Korea this year."),
    ("visit", True, "Лавров прибыл в Пхеньян",
     "Министр иностранных дел России Сергей Лавров прибыл в Пхеньян с официальным визитом."),
    ("visit", False, "Путин и Ким Чен Ын поговорили по телефону",
     "Президент России Владимир Путин и лидер КНДР Ким Чен Ын провели телефонный разговор."),
    ("visit", True, "라브로프 장관 평양 도착",
     "세르게이 라브로프 러시아 외무장관이 평양에 도착해 최선희 외무상과 회담했다."),
    ("visit", False, "북러 정상 전화 통화",
     "김정은 국무위원장과 푸틴 대통령이 전화 통화를 하고 양국 관계를 논의했다."),
    ("denial", True, "Kremlin calls North Korean troop reports groundless",
     "Kremlin spokesman Dmitry Peskov called reports of North Korean soldiers fighting for Russia groundless."),
    ("denial", False, "Putin does not deny North Korean troops are in Russia",
     "Vladimir Putin did not deny that North Korean soldiers were in Russia when asked by reporters."),
    ("denial", False, "Peskov neither confirms nor denies shell purchases",
     "Dmitry Peskov neither confirmed nor denied that Russia bought artillery shells from North Korea."),
    ("denial", True, "Песков назвал фейком сообщения о снарядах из КНДР",
     "Песков назвал фейком сообщения о поставках северокорейских снарядов в Россию."),
    ("denial", True, "북한, 러시아 무기 수출설 부인",
     "북한 국방성은 러시아에 포탄을 수출했다는 미국의 주장이 근거 없는 날조라고 일축했다."),
    ("arms_deal", True, "North Korea shipped shells to Russia, Seoul says",
     "North Korea has sent millions of artillery shells to Russia by rail and sea, Seoul's defence ministry said."),
    ("arms_deal", True, "Kremlin calls North Korean troop reports groundless",
     "Kremlin spokesman Dmitry Peskov called reports of North Korean soldiers fighting for Russia groundless."),
    ("arms_deal", False, "Kim sends greetings to Putin",
     "North Korean leader Kim Jong Un sent greetings to Russian President Vladimir Putin on Russia Day."),
    ("arms_deal", True, "КНДР направила войска в Курскую область",
     "Разведка Южной Кореи сообщила, что КНДР отправила в Россию около 10 тысяч солдат."),
    ("arms_deal", True, "북한군 러시아 파병",
     "국가정보원은 북한이 러시아에 1만여 명의 병력을 파병했다고 밝혔다."),
    ("drill", True, "Russia proposes joint drills with North Korea",
     "Russia's defence minister proposed holding joint naval exercises with North Korea later this year."),
    ("drill", False, "Russia and China hold naval drills",
     "Russian and Chinese warships held naval drills in the Sea of Japan, while North Korea tested a missile."),
    ("drill", True, "Россия и КНДР обсуждают совместные учения",
     "Министр обороны России заявил, что Москва и Пхеньян обсуждают совместные военные учения."),
    ("drill", True, "러시아, 북한과 연합훈련 논의",
     "러시아 국방장관은 북한과 합동 해상훈련을 논의하고 있다고 밝혔다."),
    ("tech_transfer", True, "Russia helped North Korea launch spy satellite, Seoul says",
     "South Korea's spy agency said Russia gave North Korea technical assistance for its spy satellite launch."),
    ("tech_transfer", False, "Satellite images show trains of munitions moving to Russia",
     "Satellite images show North Korean freight trains carrying munitions toward the Russian border."),
    ("tech_transfer", True, "Россия помогает КНДР со спутниками",
     "Разведка Южной Кореи считает, что Россия передала КНДР технологии для разведывательных спутников."),
    ("tech_transfer", True, "러시아, 북한에 정찰위성 기술 이전",
     "정부는 러시아가 파병의 대가로 북한에 정찰위성 기술을 이전했다고 보고 있다."),
    ("aid_trade", True, "Russia sends wheat to North Korea",
     "Russia shipped 30,000 tonnes of wheat to North Korea as humanitarian aid, the Russian embassy said."),
    ("aid_trade", False, "North Korea's Workers' Party congratulates United Russia",
     "The Workers' Party of Korea sent a message to the United Russia party on its anniversary."),
    ("aid_trade", True, "Поезд Москва — Пхеньян возобновил работу",
     "Прямой пассажирский поезд из Москвы в Пхеньян возобновил работу после пятилетнего перерыва."),
    ("aid_trade", True, "러시아 관광객 원산 방문",
     "러시아 관광객 100여 명이 북한 원산갈마 해안관광지구를 찾았다."),
]
# fmt: on


@pytest.mark.parametrize(("signal", "expected", "title", "text"), SIGNAL_CASES)
def test_signal_is_found_exactly_when_the_text_shows_it(tagger, signal, expected, title, text):
    assert (signal in signals_of(tagger, title, text)) is expected


# Error classes found on an independent held-out set, each taught with sentences of our own.
# fmt: off
GENERALISATION_CASES = [
    # (signal, expected, title, text)
    # A past trip told as background is no visit.
    ("visit", False, "Russia helped North Korea launch satellite, lawmakers told",
     "Russia gave North Korea technical help with its satellite launch, lawmakers said. The assistance followed "
     "Putin's summit with Kim Jong Un in Vostochny."),
    # Travel words that are not official trips: tankers' round trips, a press conference.
    ("visit", False, "Tankers carry oil from Russia to North Korea",
     "Oil tankers made ten round trips between the Russian port of Vostochny and North Korea's Rajin in March, "
     "researchers said, in breach of the UN cap on fuel deliveries to Pyongyang."),
    ("visit", False, "防衛省、ロシアと北朝鮮の軍事協力を注視",
     "防衛省の報道官は記者会見で、ロシアと北朝鮮の軍事協力を注視していると述べた。"),
    # Munitions on the rails are an arms transfer, not trade.
    ("aid_trade", False, "Trains carry North Korean ammunition to Russia",
     "Freight trains crossing from North Korea into Russia carry containers of artillery ammunition, analysts say."),
    ("arms_deal", True, "Trains carry North Korean ammunition to Russia",
     "Freight trains crossing from North Korea into Russia carry containers of artillery ammunition, analysts say."),
    # Labourers dispatched are trade, not troops.
    ("arms_deal", False, "朝鲜向俄罗斯派遣劳工",
     "韩国情报机构称，朝鲜今年向俄罗斯派遣大批劳工，从事建筑工作。"),
    ("aid_trade", True, "朝鲜向俄罗斯派遣劳工",
     "韩国情报机构称，朝鲜今年向俄罗斯派遣大批劳工，从事建筑工作。"),
    # An arms fair as a venue, combat experience and drone warfare as training are not transfers.
    ("arms_deal", False, "Russia open to naval drills with North Korea",
     "Russia's navy chief said joint naval drills with North Korea were possible, speaking at an arms exhibition "
     "near Moscow."),
    ("tech_transfer", False, "North Korean troops train with Russian units",
     "North Korean soldiers in Russia held joint exercises with Russian units, practising drone warfare before "
     "deployment to Kursk."),
    # Troops receiving training (訓練を受け) are not an exercise.
    ("drill", False, "北朝鮮兵、ロシアで訓練",
     "北朝鮮の兵士数千人がロシア極東の基地で訓練を受けているとみられる。"),
    # Help to build missiles is technology, not a transfer of weapons.
    ("arms_deal", False, "Kyiv says Russia helps Pyongyang build missiles",
     "Ukraine's intelligence said Russia was helping North Korea build longer-range ballistic missiles."),
    ("tech_transfer", True, "Kyiv says Russia helps Pyongyang build missiles",
     "Ukraine's intelligence said Russia was helping North Korea build longer-range ballistic missiles."),
    # Plain military cooperation is not an arms transfer; military-technical cooperation is.
    ("arms_deal", False, "한미 국방장관 회담",
     "한미 국방장관은 북러 군사협력 심화에 우려를 표하고 대응 방안을 논의했다."),
    ("arms_deal", True, "Lawrow in Pjöngjang",
     "Der russische Außenminister Lawrow sprach in Nordkorea über die militärtechnische Zusammenarbeit."),
    ("arms_deal", True, "Choïgou à Pyongyang",
     "Le Russe Choïgou a discuté avec la Corée du Nord de la coopération militaro-technique."),
    ("arms_deal", True, "俄朝讨论合作",
     "俄罗斯与朝鲜讨论了军事技术合作问题。"),
    # Exercises and denials worded in other languages.
    ("drill", True, "Des marins nord-coréens aux manœuvres russes",
     "Des marins nord-coréens ont pris part à des manœuvres de la marine russe près de Vladivostok."),
    ("drill", True, "Nordkoreanische Offiziere bei russischem Manöver",
     "Nordkoreanische Offiziere haben an einem Manöver der russischen Armee teilgenommen."),
    ("denial", True, "Moskau weist Berichte zurück",
     "Der Kreml wies Berichte über nordkoreanische Truppen in Russland entschieden zurück."),
    ("denial", True, "Росія та КНДР",
     "У Кремлі назвали безпідставними повідомлення про північнокорейські війська в Росії."),
    # A weapon supplied by the other side is a transfer.
    ("arms_deal", True, "Missile debris found in Zaporizhzhia",
     "Investigators found fragments of a missile in Zaporizhzhia. Russia has used missiles supplied by North Korea "
     "against Ukrainian cities, officials said."),
]
# fmt: on


@pytest.mark.parametrize(("signal", "expected", "title", "text"), GENERALISATION_CASES)
def test_a_signal_follows_what_the_text_is_about_not_a_single_word(tagger, signal, expected, title, text):
    assert (signal in signals_of(tagger, title, text)) is expected


# fmt: off
WEAPON_NOUN_CASES = [
    # (expected, title, text): a bare weapon noun counts for arms_deal only beside a word of movement or use abroad.
    (False, "Pyongyang test-fires missiles as Moscow ties grow",
     "North Korea, which has grown closer to Russia this year, launched three short-range missiles off its east "
     "coast on Thursday, Japan's coast guard said."),
    (False, "Russian envoy watches North Korean parade",
     "A Russian military delegation watched the parade in Pyongyang, where North Korea displayed its newest "
     "solid-fuel missiles on mobile launchers."),
    (True, "North Korean missiles hit Kharkiv, Kyiv says",
     "Russia and North Korea have grown closer. Ukrainian prosecutors said Russian forces struck Kharkiv overnight "
     "with ballistic missiles made in North Korea."),
    (True, "Pyongyang shipped missiles to Moscow, Seoul says",
     "South Korean intelligence said North Korea shipped dozens of missiles to Russia by rail last month."),
    (False, "КНДР провела пуск ракет на фоне сближения с Россией",
     "Северная Корея, которая сблизилась с Россией, в четверг запустила две баллистические ракеты в сторону "
     "Японского моря."),
    (False, "Российская делегация на параде в Пхеньяне",
     "Российские гости наблюдали за парадом в Пхеньяне, где КНДР показала новую межконтинентальную ракету."),
    (True, "КНДР передала России ракеты",
     "По данным разведки, КНДР передала России баллистические ракеты, которые российская армия применяет по "
     "украинским городам."),
    (False, "북한, 러시아와 밀착 속 미사일 발사",
     "러시아와 밀착하고 있는 북한이 목요일 동해상으로 탄도미사일 두 발을 쐈다고 합참이 밝혔다."),
    (True, "북한, 러시아에 미사일 공급",
     "북한이 러시아에 탄도미사일을 공급했으며 러시아군이 이를 우크라이나 공격에 사용했다고 정보당국이 밝혔다."),
    (False, "Nordkorea feuert Raketen ab, Russland schweigt",
     "Nordkorea, das seine Beziehungen zu Russland ausgebaut hat, feuerte am Donnerstag zwei Raketen ins Meer."),
    (True, "Nordkorea liefert Raketen an Russland",
     "Nordkorea hat Russland nach Angaben aus Seoul Raketen geliefert, die gegen die Ukraine eingesetzt werden."),
    (False, "North Korean parade draws Russian guests",
     "Russian officials attended the parade in Pyongyang, where North Korea rolled out new multiple rocket "
     "launchers and tanks."),
    (True, "Seoul says Pyongyang sent rocket launchers to Russia",
     "North Korea has sent multiple rocket launchers to Russia, South Korean intelligence said on Monday."),
    (False, "كوريا الشمالية تطلق صواريخ وسط تقارب مع روسيا",
     "أطلقت كوريا الشمالية التي تقاربت مع روسيا صواريخ باليستية باتجاه البحر يوم الخميس."),
    (True, "روسيا تتسلم صواريخ من كوريا الشمالية",
     "قالت الاستخبارات إن كوريا الشمالية أرسلت صواريخ إلى روسيا التي تستخدمها ضد أوكرانيا."),
    (False, "Korea Utara luncurkan rudal di tengah kedekatan dengan Rusia",
     "Korea Utara, yang makin dekat dengan Rusia, meluncurkan dua rudal balistik ke laut pada hari Kamis."),
    (True, "Korea Utara kirim rudal ke Rusia",
     "Intelijen Korea Selatan menyebut Korea Utara memasok rudal kepada Rusia untuk digunakan di Ukraina."),
    (False, "Korea Utara uji peluru berpandu, Rusia berdiam diri",
     "Korea Utara, sekutu rapat Rusia, melancarkan dua peluru berpandu ke arah laut pada hari Khamis."),
]
# fmt: on


@pytest.mark.parametrize(("expected", "title", "text"), WEAPON_NOUN_CASES)
def test_a_bare_weapon_noun_is_an_arms_deal_only_when_the_weapons_move(tagger, expected, title, text):
    assert ("arms_deal" in signals_of(tagger, title, text)) is expected


def test_transfer_terms_count_for_arms_deal_without_a_word_of_movement(tagger):
    found = signals_of(
        tagger,
        "Russia and North Korea sign defence pact",
        "Vladimir Putin and Kim Jong Un signed a mutual defence pact; Russia has fired KN-23 missiles at Ukraine.",
    )
    assert "arms_deal" in found


def test_light_context_terms_are_needed_only_by_triggers_of_at_most_their_weight():
    rules = [
        RuleSpec(kind="context", signal="arms_deal", side="", language="en", pattern="supplied", weight=0.4),
        RuleSpec(kind="context", signal="drill", side="", language="en", pattern="joint"),
    ]
    assert context_levels(rules) == {"arms_deal": 0.4, "drill": math.inf}


def test_a_denial_that_names_the_alleged_deal_is_both_denial_and_arms_deal(tagger):
    found = signals_of(
        tagger,
        "Pyongyang denies selling weapons to Moscow",
        "North Korea's defence ministry denied that it had sold weapons and ammunition to Russia, calling the claims "
        "a fabrication.",
    )
    assert {"denial", "arms_deal"} <= found


def test_declining_to_comment_is_no_denial_but_a_nearby_groundless_still_is(tagger):
    declined = "Peskov declined to comment on reports of North Korean troops in Russia."
    groundless = "Peskov declined to comment on reports of North Korean troops in Russia; he called them groundless."
    assert "denial" not in signals_of(tagger, "Kremlin on North Korean troops", declined)
    assert "denial" in signals_of(tagger, "Kremlin on North Korean troops", groundless)


def test_a_drill_by_third_countries_counts_only_as_a_response_to_the_two(tagger):
    response = (
        "The United States, South Korea and Japan held joint air drills in response to deepening military "
        "cooperation between Russia and North Korea."
    )
    unrelated = "The United States and South Korea began annual exercises; North Korea warned of countermeasures."
    assert "drill" in signals_of(tagger, "Allies drill as Russia and North Korea grow closer", response)
    assert "drill" not in signals_of(tagger, "Allies begin annual exercises", unrelated)


def test_tourists_and_workers_arriving_are_no_visit(tagger):
    found = signals_of(
        tagger,
        "Russian tourists arrive in North Korea",
        "A group of Russian tourists arrived in Pyongyang on Monday for a week at the Wonsan resort.",
    )
    assert "visit" not in found
    assert "aid_trade" in found


# --- Relevance -----------------------------------------------------------------------------------------------------

RELEVANCE_CASES = [
    # (expected status, title, text)
    (
        "relevant",
        "Russia vetoes UN sanctions panel on North Korea",
        "Russia vetoed the renewal of the UN panel monitoring sanctions on North Korea; Pyongyang thanked Moscow.",
    ),
    (
        "not_relevant",
        "North Korea fires ballistic missiles",
        "North Korea fired two short-range ballistic missiles into the sea off its east coast, Seoul said.",
    ),
    (
        "not_relevant",
        "Russia strikes Kyiv with drones",
        "Russia launched dozens of drones at Kyiv overnight; air defences shot most of them down.",
    ),
    (
        "not_relevant",
        "North Korean women beat Russia in football friendly",
        "North Korea's women's football team beat Russia 2-0 in an international friendly match at a Moscow stadium.",
    ),
    (
        "not_relevant",
        "Russian ballet troupe performs in Pyongyang",
        "A ballet troupe from Vladivostok gave a concert of Swan Lake at a Pyongyang theatre, KCNA said.",
    ),
    (
        "not_relevant",
        "Putin arrives in Hanoi",
        "Vladimir Putin arrived in Hanoi for a state visit to Vietnam. He met Vietnam's leaders at the presidential "
        "palace. Vietnam and Russia signed agreements on energy and education. Putin praised Vietnam's growth. "
        "Earlier in the week he was in North Korea.",
    ),
    (
        "relevant",
        "뿌찐대통령 평양 도착",
        "로씨야련방 대통령 뿌찐동지가 조선민주주의인민공화국을 국빈방문하기 위하여 평양에 도착하였다.",
    ),
    (
        "relevant",
        "라브로브 외무상 방문",
        "로씨야 외무상 라브로브가 평양에서 조선 외무상과 회담하고 꾸르스크 해방에 대해 언급하였다.",
    ),
]


# A past trip as a time anchor, or a comparison with the North Korean pact, names the sides only in passing.
BACKGROUND_CASES = [
    (
        "Putin lands in Mongolia",
        "Vladimir Putin arrived in Ulaanbaatar on Tuesday, fresh from his visit to "
        "Pyongyang, for talks on energy and a new railway line with Mongolia's president.",
    ),
    (
        "Poutine à Tokyo",
        "Trois jours après son escale à Pyongyang, Vladimir Poutine est arrivé en Inde pour un sommet "
        "consacré à l'énergie.",
    ),
    (
        "Rusia y Turquía firman un acuerdo",
        "A diferencia del tratado que Moscú firmó con Corea del Norte, el acuerdo "
        "con Ankara no incluye una cláusula de defensa mutua, dijo el Kremlin.",
    ),
    (
        "Russia and Iran sign treaty",
        "Unlike the pact Russia signed with North Korea, the treaty with Tehran does not "
        "include a mutual defence clause, Lavrov said.",
    ),
]


@pytest.mark.parametrize(("title", "text"), BACKGROUND_CASES)
def test_sides_named_only_as_background_make_no_relevant_article(tagger, title, text):
    result = tagger.assess(title, text)
    assert result.status == "not_relevant"
    assert not result.signals


@pytest.mark.parametrize(("status", "title", "text"), RELEVANCE_CASES)
def test_relevance_needs_both_sides_as_the_subject(tagger, status, title, text):
    assert tagger.assess(title, text).status == status


# fmt: off
MOVED_WEAPON_CASES = [
    # (title, text): a North Korean weapon used or supplied abroad speaks for the two sides meeting.
    ("Prosecutors trace Odesa strike to North Korean missile",
     "Investigators said debris from a KN-23 missile made in North Korea was found in Odesa after the strike. "
     "The blast damaged a school and two houses. Kyiv says Russia keeps firing missiles supplied by Pyongyang."),
    ("Jaksa: rudal Korea Utara hantam Kharkiv",
     "Serpihan rudal KN-23 buatan Korea Utara ditemukan di Kharkiv setelah serangan malam itu. Ledakan merusak "
     "sekolah. Ukraina menyebut Rusia terus menembakkan rudal dari Korea Utara."),
]
# fmt: on


@pytest.mark.parametrize(("title", "text"), MOVED_WEAPON_CASES)
def test_a_north_korean_weapon_used_abroad_counts_for_relevance(tagger, title, text):
    _, reading, live = tagger.read(title, text)
    assert relevance_features(reading, live)["elsewhere"] == 0
    result = tagger.assess(title, text)
    assert result.status == "relevant"
    assert "arms_deal" in {hit.signal for hit in result.signals}


def test_a_not_relevant_article_gets_no_signals_even_with_triggers(tagger):
    result = tagger.assess(
        "North Korean footballers arrive in Moscow",
        "North Korea's national football team arrived in Moscow for a friendly match against Russia's team.",
    )
    assert result.status == "not_relevant"
    assert result.signals == ()


def test_a_repeated_title_is_not_counted_twice(tagger):
    title = "Lavrov arrives in Pyongyang"
    body = "Russia's foreign minister arrived in North Korea on Friday."
    assert tagger.assess(title, f"{title}\n{body}") == tagger.assess(title, body)


# --- Languages -----------------------------------------------------------------------------------------------------

LANGUAGE_CASES = [
    ("en", "Russia and North Korea signed a treaty on Wednesday, officials said."),
    ("ru", "Россия и КНДР подписали договор о всеобъемлющем стратегическом партнерстве."),
    ("ko", "러시아와 북한이 포괄적 전략적 동반자 관계 조약에 서명했다."),
    ("ja", "ロシアと北朝鮮は包括的戦略パートナーシップ条約に署名した。"),
    ("zh", "俄罗斯和朝鲜签署了全面战略伙伴关系条约。"),
    ("fr", "La Russie et la Corée du Nord ont signé mercredi un traité de partenariat stratégique."),
    (
        "de",
        "Russland und Nordkorea haben am Mittwoch einen Vertrag über eine strategische Partnerschaft unterzeichnet.",
    ),
    ("es", "Rusia y Corea del Norte firmaron el miércoles un tratado de asociación estratégica integral."),
    ("ar", "وقعت روسيا وكوريا الشمالية يوم الأربعاء معاهدة شراكة استراتيجية شاملة."),
]


@pytest.mark.parametrize(("language", "text"), LANGUAGE_CASES)
def test_language_is_detected_offline(language, text):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Umoja wa Urusi",
            "Rais wa Urusi Vladimir Putin na kiongozi wa Korea Kaskazini Kim Jong Un wametia saini mkataba.",
        ),
        ("Ruslandi", "Vladimir Putin og Kim Jong Un undirrituðu samning í Pyongyang á miðvikudag um gagnkvæma aðstoð."),
    ],
)
def test_a_language_without_actor_terms_is_unreadable_not_irrelevant(tagger, title, text):
    result = tagger.assess(title, text)
    assert result.status == "unreadable"
    assert result.signals == ()
    assert result.language not in tagger.readable_languages


def test_readable_languages_are_those_with_actor_terms_for_both_sides(tagger):
    required = {"en", "ru", "ko", "ja", "zh", "es", "fr", "de", "it", "pt", "ar", "uk"}
    assert required <= tagger.readable_languages
    only_one_side = Tagger.compile([RuleSpec("actor", None, "ru", "sw", "Urusi")])
    assert "sw" not in only_one_side.readable_languages


@pytest.mark.parametrize("headline", ["Moscow and Pyongyang sign pact", "Shells for oil", "Arms for oil"])
def test_a_short_headline_is_read_in_a_readable_language_when_the_detector_hesitates(tagger, headline):
    assert tagger.assess(headline, "").language == "en"


@pytest.mark.parametrize(
    ("headline", "status"),
    [
        ("Putin hails Kim", "relevant"),
        ("Kim meets Putin in Vladivostok", "relevant"),
        ("Kim Hong-kyun summoned the Russian ambassador over remarks by Putin", "not_relevant"),
    ],
)
def test_kim_alone_is_the_north_korean_leader_only_right_beside_putin(tagger, headline, status):
    assert tagger.assess(headline, "").status == status


def test_an_empty_article_is_unreadable(tagger):
    assert tagger.assess("", "").status == "unreadable"


# --- Evidence, confidence and version --------------------------------------------------------------------------------

DENIAL_ARTICLE = (
    "Pyongyang rejects shell claims",
    "North Korea said on Sunday that US claims it shipped artillery shells to Russia were groundless. "
    "The statement was carried by KCNA. Washington says thousands of containers have crossed the border.",
)


def test_every_signal_carries_evidence_sentences_from_the_text_and_their_terms(tagger):
    result = tagger.assess(*DENIAL_ARTICLE)
    assert result.signals
    for hit in result.signals:
        assert 0.0 <= hit.confidence <= 1.0
        assert 1 <= len(hit.evidence) <= 3
        for evidence in hit.evidence:
            assert evidence.sentence in " ".join(DENIAL_ARTICLE)
            assert evidence.terms
            assert all(term.lower() in evidence.sentence.lower() for term in evidence.terms)


def test_relevance_score_and_evidence_name_both_sides(tagger):
    result = tagger.assess(*DENIAL_ARTICLE)
    assert result.status == "relevant"
    assert 0.5 <= result.relevance_score <= 1.0
    terms = {term.lower() for evidence in result.relevance_evidence for term in evidence.terms}
    assert {"north korea", "russia"} <= terms


def test_more_and_stronger_evidence_means_higher_confidence(tagger):
    weak = tagger.assess("Kim and Putin", "Kim Jong Un and Vladimir Putin met, state media said.")
    strong = tagger.assess(
        "Kim arrives in Vladivostok for summit with Putin",
        "Kim Jong Un arrived in Vladivostok by train for a summit with Vladimir Putin. The two leaders held talks "
        "for three hours, and the North Korean delegation toured a shipyard.",
    )
    confidence = {hit.signal: hit.confidence for hit in strong.signals}
    weak_confidence = {hit.signal: hit.confidence for hit in weak.signals}.get("visit", 0.0)
    assert confidence["visit"] > weak_confidence


def test_the_version_is_a_short_hash_that_only_the_rules_change(tagger):
    rules = load_default_rules()
    assert re.fullmatch(r"[0-9a-f]{12}", tagger.version)
    assert Tagger.compile(reversed(rules)).version == tagger.version
    assert Tagger.compile([*rules, RuleSpec("trigger", "visit", "", "en", "courtesy call")]).version != tagger.version


def test_results_are_plain_values_that_compare_equal(tagger):
    assert isinstance(tagger.assess(*DENIAL_ARTICLE), Result)
    assert tagger.assess(*DENIAL_ARTICLE) == tagger.assess(*DENIAL_ARTICLE)


# --- Rules are data -------------------------------------------------------------------------------------------------


def test_default_rules_load_as_valid_rule_specs():
    rules = load_default_rules()
    slugs = {values["slug"] for values in DEFAULT_SIGNAL_TYPES}
    assert len(rules) > 1000
    assert {rule.kind for rule in rules} == {"actor", "trigger", "veto", "context", "off_topic"}
    assert all(rule.signal in slugs for rule in rules if rule.kind in ("trigger", "context"))
    assert all(rule.side in ("ru", "kp") for rule in rules if rule.kind == "actor")
    assert len({identity(rule) for rule in rules}) == len(rules)
    for rule in rules:
        if rule.is_regex:
            re.compile(rule.pattern)


def test_every_rule_group_in_the_shipped_file_says_why_it_exists():
    groups = json.loads(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))["groups"]
    assert all(group["note"].strip() for group in groups)


def test_rule_spec_reads_a_rule_row_by_its_attributes():
    trigger = Rule(kind="trigger", signal=SignalType(slug="visit"), language="en", pattern="courtesy call", weight=0.5)
    actor = Rule(kind="actor", side="kp", pattern="Pyongyang")
    assert RuleSpec.from_model(trigger) == RuleSpec("trigger", "visit", "", "en", "courtesy call", False, 0.5)
    assert RuleSpec.from_model(actor) == RuleSpec("actor", None, "kp", "", "Pyongyang")


HUG_ARTICLE = (
    "Kim and Putin embrace",
    "Kim Jong Un and Vladimir Putin exchanged a comradely embrace, North Korean state media said.",
)


def test_a_trigger_added_as_data_changes_the_result(tagger):
    assert "visit" not in signals_of(tagger, *HUG_ARTICLE)
    extended = Tagger.compile([*tagger.rules, RuleSpec("trigger", "visit", "", "en", "comradely embrace", weight=2.0)])
    assert "visit" in signals_of(extended, *HUG_ARTICLE)


def test_a_veto_added_as_data_suppresses_its_type():
    article = ("Lavrov in Pyongyang", "Sergei Lavrov arrived in Pyongyang for talks with North Korea's Choe Son Hui.")
    rules = load_default_rules()
    assert "visit" in signals_of(Tagger.compile(rules), *article)
    vetoed = Tagger.compile([*rules, RuleSpec("veto", "visit", "", "en", "lavrov", weight=1.0)])
    assert "visit" not in signals_of(vetoed, *article)


def test_an_off_topic_rule_added_as_data_makes_an_article_not_relevant():
    article = ("Russian chess players in Pyongyang", "Russian and North Korean chess grandmasters met in Pyongyang.")
    rules = [rule for rule in load_default_rules() if not (rule.kind == "off_topic" and rule.pattern == "chess")]
    assert Tagger.compile(rules).assess(*article).status == "relevant"
    extended = Tagger.compile([*rules, RuleSpec("off_topic", None, "", "en", "grandmasters", weight=3.0)])
    assert extended.assess(*article).status == "not_relevant"


def test_a_weight_of_zero_makes_a_phrase_neutral():
    article = (
        "Russia and North Korea",
        "New satellite images suggest Russia is helping North Korea expand a launch site.",
    )
    rules = load_default_rules()
    without_the_phrase = [rule for rule in rules if rule.pattern != "satellite images"]
    assert "tech_transfer" not in signals_of(Tagger.compile(rules), *article)
    assert "tech_transfer" in signals_of(Tagger.compile(without_the_phrase), *article)


# --- Matching and text ----------------------------------------------------------------------------------------------

MATCH_CASES = [
    # (pattern, text, matched)
    ("visit", "Putin's visit.", True),
    ("visit", "Putin's visitors.", False),
    ("visit*", "Putin's visitors.", True),
    ("kim jong un", "Kim Jong-un spoke.", True),
    ("поставк* оружи*", "Поставки оружия из КНДР.", True),
    ("поставк* оружи*", "Поставки угля из КНДР.", False),
    ("평양", "김정은은 평양에서 연설했다.", True),
    ("北朝鮮", "北朝鮮軍がロシアに派遣された。", True),
    ("*روسيا", "ووقعت وروسيا اتفاقا", True),
    ("روسيا", "ووقعت وروسيا اتفاقا", False),
    (r"\bno plans? to visit\b", "He has no plans to visit.", True),
]


@pytest.mark.parametrize(("pattern", "text", "matched"), MATCH_CASES)
def test_terms_match_whole_words_stems_phrases_and_unspaced_scripts(pattern, text, matched):
    rule = RuleSpec("trigger", "visit", "", "", pattern, is_regex=pattern.startswith("\\b"))
    assert bool(list(Matcher([rule]).hits(fold(text)))) is matched


def test_overlapping_terms_are_all_found():
    rules = [RuleSpec("veto", "visit", "", "", "no plans to visit"), RuleSpec("trigger", "visit", "", "", "visit")]
    kinds = sorted(hit.kind for hit in Matcher(rules).hits(fold("There are no plans to visit.")))
    assert kinds == ["trigger", "veto"]


def test_sentences_split_at_full_stops_but_not_after_abbreviations():
    document = Document.build(
        "Title", "U.S. officials said N. Korea sent shells. Gen. Gerasimov agreed. 러시아가 부인했다."
    )
    sentences = [document.sentence(index) for index in range(document.sentence_count)]
    assert sentences == [
        "Title",
        "U.S. officials said N. Korea sent shells.",
        "Gen. Gerasimov agreed.",
        "러시아가 부인했다.",
    ]


def test_folding_keeps_every_character_at_its_offset():
    text = "İstanbul — Kim Jong-un’s “talks” with Putin, ещё."
    assert len(fold(text)) == len(text)
    assert "kim jong un's" in fold(text)
