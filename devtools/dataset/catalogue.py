"""The invented outlets a generated data set reads: names, kinds, countries and languages.

Every name is made up. Feeds live under GENERATED_URL_PREFIX (the .invalid top-level domain never resolves), which
is also how a later run tells its own rows from real ones.
"""

from dataclasses import dataclass

from ingest.models import SourceKind

GENERATED_URL_PREFIX = "http://dataset.invalid/"


@dataclass(frozen=True)
class Outlet:
    slug: str
    title: str
    kind: str
    country: str
    language: str


def _outlets(kind: str, rows: list[tuple[str, str, str, str]]) -> list[Outlet]:
    return [Outlet(slug, title, kind, country, language) for slug, title, country, language in rows]


STATE_MEDIA = _outlets(
    SourceKind.STATE_MEDIA,
    [
        ("chollima-herald", "Chollima Morning Herald", "KP", "en"),
        ("federal-courier", "Федеральный курьер", "RU", "ru"),
        ("federal-courier-en", "Federal Courier — English edition", "RU", "en"),
        ("taedong-bulletin", "대동강 통보", "KP", "ko"),
        ("eastern-harmony", "Eastern Harmony Daily", "CN", "en"),
        ("huabei-chenxun", "华北晨讯", "CN", "zh"),
        ("volga-television", "Телеканал «Волжская волна»", "RU", "ru"),
        ("mangyong-voice", "Mangyong Voice", "KP", "en"),
        ("tianyuan-ribao", "天元日报", "CN", "zh"),
        ("severny-vestnik", "Северный вестник", "RU", "ru"),
    ],
)
NEWS_AGENCIES = _outlets(
    SourceKind.NEWS_AGENCY,
    [
        ("northern-wire", "Northern Wire Service", "GB", "en"),
        ("baltic-pacific", "Балтийско-Тихоокеанское информагентство", "RU", "ru"),
        ("hanbit-news", "한빛통신", "KR", "ko"),
        ("continental-press", "Continental Press Agency", "US", "en"),
        ("kanto-press", "関東プレス通信", "JP", "ja"),
        ("huanyu-tongxun", "寰宇通讯社", "CN", "zh"),
        ("borysthenes-news", "Борисфен Ньюз", "UA", "uk"),
        ("meridian-newswire", "Meridian Newswire", "US", "en"),
        ("pacific-rim-wire", "Pacific Rim Wire", "AU", "en"),
        ("saebyeok-news", "새벽뉴스통신", "KR", "ko"),
        ("ural-inform", "Урал-Информ", "RU", "ru"),
        ("harbour-lights", "Harbour Lights Newswire", "SG", "en"),
        ("compass-rose", "Compass Rose Press", "FR", "en"),
        ("hokuto-wire", "北斗ワイヤー", "JP", "ja"),
        ("dnipro-wire", "Dnipro Wire", "UA", "en"),
        ("east-sea-wire", "East Sea Wire", "KR", "en"),
    ],
)
INDEPENDENT_MEDIA = _outlets(
    SourceKind.INDEPENDENT_MEDIA,
    [
        ("amur-observer", "The Amur Observer", "LV", "en"),
        ("seoul-lantern", "Seoul Lantern", "KR", "en"),
        ("volny-sever", "Вольный Север", "LV", "ru"),
        ("hangang-report", "한강 리포트", "KR", "ko"),
        ("ukrainian-ledger", "Український оглядач", "UA", "uk"),
        ("tokyo-ledger", "Tokyo Ledger", "JP", "en"),
        ("shizuku-shinpo", "しずく新報", "JP", "ja"),
        ("weigang-guancha", "维港观察", "HK", "zh"),
        ("steppe-review", "The Steppe Review", "KZ", "en"),
        ("nezalezhnyi-visnyk", "Незалежний вісник", "UA", "uk"),
        ("frontier-dispatch", "Frontier Dispatch", "US", "en"),
        ("bukhan-insight", "북한 인사이트", "KR", "ko"),
        ("taiga-post", "Тайга Пост", "GE", "ru"),
        ("peninsula-monitor", "Peninsula Monitor", "GB", "en"),
    ],
)
THINK_TANKS = _outlets(
    SourceKind.THINK_TANK,
    [
        ("inass", "Institute for Northeast Asian Security Studies", "US", "en"),
        ("eurasian-strategy", "Centre for Eurasian Strategy", "GB", "en"),
        ("peninsula-forum", "한반도정책포럼", "KR", "ko"),
        ("pacific-arms-control", "Pacific Arms Control Initiative", "AU", "en"),
        ("higashi-ajia-kenkyu", "東アジア戦略研究会", "JP", "ja"),
        ("meridian-review", "Meridian Strategic Review", "DE", "en"),
        ("kyiv-security-lab", "Київська безпекова лабораторія", "UA", "uk"),
        ("sanctions-observatory", "Sanctions Observatory", "BE", "en"),
        ("polar-sea-institute", "Polar Sea Institute", "NO", "en"),
        ("dongbei-yanjiu", "东北亚研究通讯", "CN", "zh"),
    ],
)
GOVERNMENT = _outlets(
    SourceKind.GOVERNMENT,
    [
        ("us-state-briefings", "Department of State — Press briefings", "US", "en"),
        ("ru-foreign-briefings", "МИД: брифинги официального представителя", "RU", "ru"),
        ("kr-unification-press", "통일정책실 보도자료", "KR", "ko"),
        ("jp-cabinet-press", "内閣広報室 記者会見", "JP", "ja"),
        ("ua-defence-statements", "Міноборони: заяви", "UA", "uk"),
        ("kr-defence-press", "Defence Ministry — Press releases", "KR", "en"),
        ("gb-foreign-office", "Foreign Office — News and statements", "GB", "en"),
        ("ru-defence-news", "Минобороны: новости", "RU", "ru"),
        ("jp-defence-press", "Defense Ministry Japan — Press conferences", "JP", "en"),
        ("eu-external-action", "External Action Service — Statements", "BE", "en"),
    ],
)

# Interleaved by kind, so that any first few feeds already cover every kind of source, English leading.
CATALOGUE: list[Outlet] = (
    [
        outlet
        for group in zip(NEWS_AGENCIES, STATE_MEDIA, INDEPENDENT_MEDIA, THINK_TANKS, GOVERNMENT, strict=False)
        for outlet in group
    ]
    + NEWS_AGENCIES[10:]
    + INDEPENDENT_MEDIA[10:]
)


def outlets(count: int) -> list[Outlet]:
    """The first `count` outlets; past the catalogue, numbered regional editions of the same outlets."""
    chosen = CATALOGUE[:count]
    edition = 2
    while len(chosen) < count:
        for outlet in CATALOGUE[: count - len(chosen)]:
            chosen.append(
                Outlet(
                    f"{outlet.slug}-{edition}",
                    f"{outlet.title} ({edition})",
                    outlet.kind,
                    outlet.country,
                    outlet.language,
                )
            )
        edition += 1
    return chosen


def feed_url(outlet: Outlet) -> str:
    return f"{GENERATED_URL_PREFIX}{outlet.slug}/feed.xml"


def site_url(outlet: Outlet) -> str:
    return f"{GENERATED_URL_PREFIX}{outlet.slug}/"
