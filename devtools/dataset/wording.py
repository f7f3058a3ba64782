"""Invented wording for generated articles, in the six languages of the generated feeds.

Each signal sentence names the trigger terms it contains, so the evidence stored with a tag quotes a sentence that
is really in the article. Slots ({ru}, {kp}, {ru_city}, {n} ...) vary the wording; in Russian, Ukrainian, Korean,
Japanese and Chinese the slot values are already in the grammatical form their templates need.
"""

from dataclasses import dataclass

SIGNAL_SLUGS = ("visit", "denial", "arms_deal", "drill", "tech_transfer", "aid_trade")


@dataclass(frozen=True)
class Wording:
    titles: dict[str, tuple[str, ...]]  # per signal slug, and "general" for a relevant article without signals
    signals: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]  # per slug: (sentence, trigger terms in it)
    relevance: tuple[tuple[str, tuple[str, ...]], ...]  # sentences naming both sides, with those names
    context: tuple[str, ...]
    off_topic: tuple[tuple[str, tuple[str, ...]], ...]  # (title, sentences) of articles about something else
    boilerplate: tuple[str, ...]
    slots: dict[str, tuple[str, ...]]
    body_chars: tuple[int, int]  # the body length aimed at: scripts without spaces say as much in fewer characters
    sentence_separator: str = " "


ENGLISH = Wording(
    titles={
        "visit": (
            "North Korean delegation arrives in {ru_city} for talks",
            "Russian defence minister to visit Pyongyang, officials say",
            "Leaders' summit in {ru_city} planned for next month",
        ),
        "denial": (
            "Moscow dismisses reports of weapons from Pyongyang",
            "Pyongyang calls arms transfer claims 'fabricated'",
        ),
        "arms_deal": (
            "Report: {n} containers of munitions shipped from North Korea to Russia",
            "New arms deal between Moscow and Pyongyang alleged",
            "Satellite images point to shell deliveries through Rajin port",
        ),
        "drill": (
            "Russian and North Korean navies hold first joint drill",
            "Allies stage exercises as Moscow-Pyongyang ties deepen",
        ),
        "tech_transfer": (
            "Russia said to help North Korea with satellite launch",
            "Experts see Russian help behind Pyongyang's missile progress",
        ),
        "aid_trade": (
            "Russia ships {n} tonnes of wheat to North Korea",
            "Freight trains to link Vladivostok and Rajin again",
        ),
        "general": (
            "What the Moscow-Pyongyang partnership means for the region",
            "Analysis: Russia and North Korea draw closer",
        ),
    },
    signals={
        "visit": (
            ("A North Korean delegation led by the defence minister arrived in {ru_city} for talks.", ("arrived",)),
            ("{ru} said the foreign minister would visit Pyongyang later this month.", ("visit",)),
            ("The two leaders are expected to hold a summit in {ru_city} soon, officials said.", ("summit",)),
        ),
        "denial": (
            ("{ru} denied receiving any weapons from North Korea, calling the reports baseless.", ("denied",)),
            ("A spokesperson in Pyongyang dismissed the claims of arms transfers as a smear.", ("dismissed",)),
        ),
        "arms_deal": (
            ("About {n} containers of artillery shells have been shipped to Russia since the summer.", ("shipped",)),
            ("The report said {kp} supplied ballistic missiles to Russian forces.", ("supplied", "ballistic missiles")),
            ("Analysts said the deliveries of munitions looked like part of a wider arms deal.", ("arms deal",)),
        ),
        "drill": (
            (
                "Warships from both countries took part in a joint naval exercise off {ru_city}.",
                ("joint naval exercise",),
            ),
            (
                "South Korea, Japan and the United States held trilateral drills in response to the cooperation.",
                ("trilateral drills",),
            ),
        ),
        "tech_transfer": (
            (
                "Intelligence officials believe Russian engineers helped with the satellite launch.",
                ("satellite launch",),
            ),
            (
                "The agreement reportedly covers missile technology and help with a nuclear submarine.",
                ("missile technology", "nuclear submarine"),
            ),
        ),
        "aid_trade": (
            (
                "Russia delivered {n} tonnes of wheat and flour to North Korea as humanitarian aid.",
                ("humanitarian aid",),
            ),
            (
                "Trade between the two countries rose sharply, and oil shipments passed the sanctions cap.",
                ("oil shipments",),
            ),
            (
                "A new rail service will carry passengers and cargo between the two countries.",
                ("rail service", "cargo"),
            ),
        ),
    },
    relevance=(
        (
            "Russia and North Korea have drawn closer since signing a strategic partnership treaty.",
            ("Russia", "North Korea"),
        ),
        ("The talks between Moscow and Pyongyang were closely watched in Seoul and Tokyo.", ("Moscow", "Pyongyang")),
        ("Relations between Russia and the DPRK have grown warmer over the past year.", ("Russia", "DPRK")),
    ),
    context=(
        "Analysts said the move would be watched closely in Seoul, Tokyo and Washington.",
        "Neither side gave details of the timing.",
        "The reports could not be independently verified.",
        "State media carried photographs of the ceremony but offered few details.",
        "Officials in Kyiv said they would raise the matter with their partners.",
        "Diplomats expect the issue to come up at the next round of talks.",
    ),
    off_topic=(
        (
            "Grain harvest in southern Russia beats forecasts",
            (
                "Farmers in the Krasnodar region reported higher yields than last year.",
                "Exporters expect prices to ease before the winter.",
                "Rain in late summer delayed the harvest in some districts.",
                "The agriculture ministry raised its forecast for the second time this season.",
            ),
        ),
        (
            "Seoul housing prices edge up for a third month",
            (
                "Apartment prices in the capital rose for the third month in a row.",
                "Economists linked the rise to expectations of lower interest rates.",
                "The government is weighing new measures to increase supply.",
                "Prices outside the capital region remained flat.",
            ),
        ),
        (
            "North Korean women's football team wins regional title",
            (
                "The team won the final on penalties after a goalless draw.",
                "Thousands of fans welcomed the players at the airport.",
                "The coach praised the young squad's discipline.",
                "The next tournament is scheduled for the spring.",
            ),
        ),
    ),
    boilerplate=("Follow us for more news from the region.", "This article was updated with additional reporting."),
    slots={
        "ru": ("Moscow", "Russia", "The Kremlin"),
        "kp": ("North Korea", "Pyongyang"),
        "ru_city": ("Moscow", "Vladivostok", "Khabarovsk"),
    },
    body_chars=(300, 600),
)

RUSSIAN = Wording(
    titles={
        "visit": (
            "Делегация КНДР прибыла в {ru_city_acc} на переговоры",
            "Министр обороны России посетит Пхеньян",
            "Встреча лидеров России и КНДР может пройти в {ru_city_prep}",
        ),
        "denial": (
            "В Москве опровергли сообщения о поставках оружия из КНДР",
            "Пхеньян назвал обвинения в передаче оружия клеветой",
        ),
        "arms_deal": (
            "СМИ: из КНДР в Россию отправлено {n} контейнеров с боеприпасами",
            "Сообщается о новой оружейной сделке Москвы и Пхеньяна",
        ),
        "drill": (
            "Флоты России и КНДР провели первые совместные учения",
            "США, Южная Корея и Япония провели учения на фоне сближения Москвы и Пхеньяна",
        ),
        "tech_transfer": (
            "Россия помогает КНДР с запуском спутника, считают эксперты",
            "Эксперты видят российский след в ракетной программе КНДР",
        ),
        "aid_trade": (
            "Россия отправила в КНДР {n} тонн пшеницы",
            "Между Владивостоком и Раджином возобновят грузовое сообщение",
        ),
        "general": ("Что означает сближение России и КНДР для региона", "Москва и Пхеньян укрепляют связи"),
    },
    signals={
        "visit": (
            ("Делегация КНДР во главе с министром обороны прибыла в {ru_city_acc} для переговоров.", ("прибыла",)),
            ("В Москве сообщили, что министр иностранных дел посетит Пхеньян в конце месяца.", ("посетит",)),
            (
                "Ожидается, что лидеры двух стран в ближайшее время проведут встречу на высшем уровне.",
                ("встречу на высшем уровне",),
            ),
        ),
        "denial": (
            ("В Кремле опровергли получение оружия из КНДР, назвав сообщения беспочвенными.", ("опровергли",)),
            ("Представитель МИД КНДР отверг обвинения в поставках оружия.", ("отверг обвинения",)),
        ),
        "arms_deal": (
            (
                "По данным источников, с лета в Россию отправлено около {n} контейнеров с артиллерийскими снарядами.",
                ("артиллерийскими снарядами",),
            ),
            (
                "В докладе утверждается, что КНДР поставила российским войскам баллистические ракеты.",
                ("баллистические ракеты",),
            ),
        ),
        "drill": (
            (
                "Корабли двух стран приняли участие в совместных военно-морских учениях у берегов Приморья.",
                ("совместных",),
            ),
            (
                "Южная Корея, Япония и США провели трёхсторонние учения в ответ на сближение двух стран.",
                ("трёхсторонние учения",),
            ),
        ),
        "tech_transfer": (
            ("По оценке разведки, российские специалисты помогли с запуском спутника.", ("запуском спутника",)),
            (
                "Соглашение, как сообщается, касается ракетных технологий и помощи в создании атомной подводной лодки.",
                ("ракетных технологий", "атомной подводной лодки"),
            ),
        ),
        "aid_trade": (
            ("Россия поставила в КНДР {n} тонн пшеницы и муки в рамках гуманитарной помощи.", ("гуманитарной помощи",)),
            (
                "Товарооборот между странами заметно вырос, а поставки нефти превысили предел, "
                "установленный санкциями.",
                ("поставки нефти",),
            ),
        ),
    },
    relevance=(
        ("Россия и КНДР укрепляют связи после подписания договора о стратегическом партнёрстве.", ("Россия", "КНДР")),
        ("За переговорами Москвы и Пхеньяна внимательно следят в Сеуле и Токио.", ("Москвы", "Пхеньяна")),
    ),
    context=(
        "Аналитики отмечают, что в Сеуле, Токио и Вашингтоне внимательно следят за ситуацией.",
        "Стороны не сообщили подробностей о сроках.",
        "Независимо проверить эти сведения не удалось.",
        "Государственные СМИ опубликовали фотографии церемонии, но почти не привели подробностей.",
        "Эксперты ожидают, что тема будет затронута на ближайших переговорах.",
    ),
    off_topic=(
        (
            "Урожай зерна на юге России превзошёл прогнозы",
            (
                "Аграрии Краснодарского края сообщили о более высокой урожайности, чем в прошлом году.",
                "Экспортёры ожидают снижения цен до зимы.",
                "Дожди в конце лета задержали уборку в ряде районов.",
                "Министерство сельского хозяйства повысило прогноз сбора.",
            ),
        ),
        (
            "В Москве открылись три новые станции метро",
            (
                "Новые станции соединили два района на востоке города.",
                "По оценке мэрии, линией будут пользоваться до двухсот тысяч человек в день.",
                "Строительство заняло четыре года.",
                "В следующем году планируется открыть ещё несколько станций.",
            ),
        ),
    ),
    boilerplate=("Подписывайтесь на наш канал, чтобы следить за новостями региона.",),
    slots={
        "ru_city_acc": ("Москву", "Владивосток", "Хабаровск"),
        "ru_city_prep": ("Москве", "Владивостоке", "Хабаровске"),
    },
    body_chars=(300, 600),
)

UKRAINIAN = Wording(
    titles={
        "visit": ("Делегація КНДР прибула до {ru_city_gen} на переговори", "Міністр оборони РФ відвідає Пхеньян"),
        "denial": (
            "У Москві заперечили постачання зброї з КНДР",
            "Пхеньян назвав звинувачення у передачі зброї вигадкою",
        ),
        "arms_deal": (
            "ЗМІ: з КНДР до Росії відправили {n} контейнерів із боєприпасами",
            "Розвідка: КНДР передала Росії балістичні ракети",
        ),
        "drill": (
            "Флоти Росії та КНДР провели перші спільні навчання",
            "США, Південна Корея та Японія провели навчання на тлі зближення Москви й Пхеньяна",
        ),
        "tech_transfer": (
            "Росія допомагає КНДР із запуском супутника, вважають експерти",
            "Експерти бачать російський слід у ракетній програмі КНДР",
        ),
        "aid_trade": (
            "Росія відправила до КНДР {n} тонн пшениці",
            "Між Владивостоком і Раджином відновлять вантажне сполучення",
        ),
        "general": ("Що означає зближення Росії та КНДР для України", "Москва і Пхеньян зміцнюють зв'язки"),
    },
    signals={
        "visit": (
            ("Делегація КНДР на чолі з міністром оборони прибула до {ru_city_gen} для переговорів.", ("прибула",)),
            ("У Москві повідомили, що міністр закордонних справ відвідає Пхеньян наприкінці місяця.", ("відвідає",)),
        ),
        "denial": (
            ("У Кремлі заперечили отримання зброї з КНДР, назвавши повідомлення безпідставними.", ("заперечили",)),
            ("Речник МЗС КНДР відкинув звинувачення у постачанні зброї.", ("відкинув звинувачення",)),
        ),
        "arms_deal": (
            (
                "За даними розвідки, з літа до Росії відправили близько {n} контейнерів з артилерійськими снарядами.",
                ("артилерійськими снарядами",),
            ),
            ("У доповіді йдеться, що КНДР передала російським військам балістичні ракети.", ("балістичні ракети",)),
        ),
        "drill": (
            (
                "Кораблі двох країн взяли участь у спільних військово-морських навчаннях біля узбережжя Примор'я.",
                ("спільних",),
            ),
            (
                "Південна Корея, Японія та США провели тристоронні навчання у відповідь на зближення двох країн.",
                ("тристоронні навчання",),
            ),
        ),
        "tech_transfer": (
            ("За оцінкою розвідки, російські фахівці допомогли із запуском супутника.", ("запуском супутника",)),
            (
                "Угода, як повідомляється, стосується ракетних технологій і допомоги зі створенням "
                "атомного підводного човна.",
                ("ракетних технологій",),
            ),
        ),
        "aid_trade": (
            ("Росія поставила до КНДР {n} тонн пшениці та борошна як гуманітарну допомогу.", ("гуманітарну допомогу",)),
            (
                "Товарообіг між країнами помітно зріс, а поставки нафти перевищили ліміт, встановлений санкціями.",
                ("поставки нафти",),
            ),
        ),
    },
    relevance=(
        ("Росія та КНДР зміцнюють зв'язки після підписання договору про стратегічне партнерство.", ("Росія", "КНДР")),
        ("За переговорами Москви і Пхеньяна уважно стежать у Києві, Сеулі та Токіо.", ("Москви", "Пхеньяна")),
    ),
    context=(
        "Аналітики зазначають, що це зближення безпосередньо стосується безпеки України.",
        "Сторони не повідомили подробиць щодо термінів.",
        "Незалежно перевірити ці дані не вдалося.",
        "У Києві заявили, що порушать це питання з партнерами.",
        "Державні ЗМІ оприлюднили фотографії церемонії, але майже не навели подробиць.",
    ),
    off_topic=(
        (
            "У Києві відновили роботу станцій метро після ремонту",
            (
                "Три станції знову приймають пасажирів після тривалого ремонту.",
                "Міська адміністрація подякувала мешканцям за терпіння.",
                "Ремонт тунелів тривав майже рік.",
                "Наступного року планують оновити ще дві станції.",
            ),
        ),
        (
            "Врожай зерна в Україні перевищив прогнози",
            (
                "Аграрії півдня повідомили про вищу врожайність, ніж торік.",
                "Експортери очікують зниження цін до зими.",
                "Дощі наприкінці літа затримали збирання в кількох областях.",
                "Міністерство аграрної політики підвищило прогноз.",
            ),
        ),
    ),
    boilerplate=("Підписуйтеся на наш канал, щоб стежити за новинами регіону.",),
    slots={"ru_city_gen": ("Москви", "Владивостока", "Хабаровська")},
    body_chars=(300, 600),
)

KOREAN = Wording(
    titles={
        "visit": ("북한 대표단, 회담 위해 {ru_city} 도착", "러시아 국방장관 평양 방문 예정"),
        "denial": ("러시아, 북한 무기 지원설 부인", '북한 "무기 거래 주장은 날조"'),
        "arms_deal": ('"북한, 러시아에 포탄 컨테이너 {n}개 보내"', "북·러 새 무기 거래 의혹 제기"),
        "drill": ("러시아·북한 해군 첫 연합훈련 실시", "한미일, 북러 밀착 속 연합훈련"),
        "tech_transfer": ('"러시아, 북한 위성 발사 지원"', '전문가들 "북한 미사일 개발에 러시아 기술"'),
        "aid_trade": ("러시아, 북한에 밀 {n}톤 지원", "블라디보스토크-나진 화물열차 운행 재개"),
        "general": ("북러 밀착이 한반도에 미치는 영향", "러시아와 북한, 관계 강화 행보"),
    },
    signals={
        "visit": (
            ("국방상이 이끄는 북한 대표단이 회담을 위해 {ru_city}에 도착했다.", ("대표단", "도착")),
            ("러시아 외무장관이 이달 말 평양을 방문할 예정이라고 당국자들이 밝혔다.", ("방문",)),
            ("양국 정상은 조만간 정상회담을 열 것으로 예상된다.", ("정상회담",)),
        ),
        "denial": (
            ("러시아 정부는 북한으로부터 무기를 받았다는 보도를 근거 없다며 부인했다.", ("부인",)),
            ("북한 외무성 대변인은 무기 이전 주장을 모략이라고 일축했다.", ("일축",)),
        ),
        "arms_deal": (
            ("소식통에 따르면 여름 이후 약 {n}개의 포탄 컨테이너가 러시아로 보내졌다.", ("포탄", "컨테이너")),
            ("보고서는 북한이 러시아군에 탄도미사일을 공급했다고 주장했다.", ("탄도미사일", "공급")),
        ),
        "drill": (
            ("양국 군함이 연해주 앞바다에서 연합 해상훈련에 참가했다.", ("연합 해상훈련",)),
            ("한국과 미국, 일본은 북러 협력 강화에 대응해 3국 훈련을 실시했다.", ("3국 훈련",)),
        ),
        "tech_transfer": (
            ("정보 당국은 러시아 기술자들이 위성 발사를 도운 것으로 보고 있다.", ("위성 발사",)),
            ("합의에는 미사일 기술과 핵잠수함 개발 지원이 포함된 것으로 알려졌다.", ("미사일 기술", "핵잠수함")),
        ),
        "aid_trade": (
            ("러시아는 인도적 지원 차원에서 북한에 밀과 밀가루 {n}톤을 보냈다.", ("인도적 지원",)),
            ("양국 간 교역이 크게 늘었으며 석유 공급량은 제재 상한을 넘어섰다.", ("교역", "석유 공급")),
        ),
    },
    relevance=(
        ("러시아와 북한은 전략적 동반자 조약 체결 이후 관계를 강화해 왔다.", ("러시아", "북한")),
        ("모스크바와 평양의 회담은 서울과 도쿄에서 주목을 받았다.", ("모스크바", "평양")),
    ),
    context=(
        "전문가들은 서울과 도쿄, 워싱턴이 상황을 면밀히 주시하고 있다고 말했다.",
        "양측은 구체적인 일정은 밝히지 않았다.",
        "이 보도는 독자적으로 확인되지 않았다.",
        "관영 매체는 행사 사진을 공개했지만 세부 내용은 거의 전하지 않았다.",
        "외교 소식통은 다음 회담에서 이 문제가 다뤄질 것으로 내다봤다.",
    ),
    off_topic=(
        (
            "서울 아파트값 석 달째 상승",
            (
                "서울 아파트 가격이 석 달 연속 올랐다.",
                "전문가들은 금리 인하 기대가 영향을 미쳤다고 분석했다.",
                "정부는 추가 공급 대책을 검토하고 있다.",
                "지방 주택 시장은 여전히 약세를 보였다.",
            ),
        ),
        (
            "북한 여자축구, 지역 대회 우승",
            (
                "북한 여자축구 대표팀이 승부차기 끝에 결승에서 이겼다.",
                "감독은 젊은 선수들의 조직력을 칭찬했다.",
                "다음 대회는 내년 봄에 열린다.",
                "현지 언론은 선수단의 귀국 장면을 크게 보도했다.",
            ),
        ),
    ),
    boilerplate=("더 많은 소식은 홈페이지에서 확인할 수 있다.",),
    slots={"ru_city": ("모스크바", "블라디보스토크", "하바롭스크")},
    body_chars=(180, 360),
)

JAPANESE = Wording(
    titles={
        "visit": ("北朝鮮代表団、協議のため{ru_city}に到着", "ロシア国防相、平壌を訪問へ"),
        "denial": ("ロシア、北朝鮮からの武器供与報道を否定", "北朝鮮「武器取引の主張はでっち上げ」"),
        "arms_deal": ("北朝鮮からロシアへ砲弾コンテナ{n}個か 報告書", "ロ朝間で新たな武器取引の疑い"),
        "drill": ("ロシアと北朝鮮の海軍が初の合同演習", "日米韓が共同訓練、ロ朝接近に対応"),
        "tech_transfer": ("ロシアが北朝鮮の衛星打ち上げを支援か", "北朝鮮のミサイル開発にロシアの技術か"),
        "aid_trade": ("ロシア、北朝鮮に小麦{n}トンを輸送", "ウラジオストクと羅津を結ぶ貨物列車が運行再開"),
        "general": ("ロ朝接近が地域に与える影響", "ロシアと北朝鮮、関係強化を加速"),
    },
    signals={
        "visit": (
            ("国防相が率いる北朝鮮の代表団が協議のため{ru_city}に到着した。", ("代表団", "到着")),
            ("ロシアの外相が今月下旬に平壌を訪問する予定だと当局者が明らかにした。", ("訪問",)),
            ("両国の首脳は近く首脳会談を開く見通しだ。", ("首脳会談",)),
        ),
        "denial": (
            ("ロシア政府は北朝鮮から武器を受け取ったとの報道を根拠がないとして否定した。", ("否定",)),
            ("北朝鮮外務省の報道官は武器移転の主張を謀略だと一蹴した。", ("一蹴",)),
        ),
        "arms_deal": (
            ("関係筋によると、夏以降に約{n}個の砲弾入りコンテナがロシアに送られた。", ("砲弾", "コンテナ")),
            ("報告書は北朝鮮がロシア軍に弾道ミサイルを供与したと指摘した。", ("弾道ミサイル", "供与")),
        ),
        "drill": (
            ("両国の艦艇が沿海地方沖で合同海上演習に参加した。", ("合同海上演習",)),
            ("日本、米国、韓国はロ朝協力の強化を受けて3か国の共同訓練を実施した。", ("共同訓練",)),
        ),
        "tech_transfer": (
            ("情報当局はロシアの技術者が衛星打ち上げを支援したとみている。", ("衛星打ち上げ",)),
            ("合意にはミサイル技術や原子力潜水艦の開発支援が含まれるという。", ("ミサイル技術", "原子力潜水艦")),
        ),
        "aid_trade": (
            ("ロシアは人道支援として北朝鮮に小麦と小麦粉{n}トンを送った。", ("人道支援",)),
            ("両国間の貿易は大幅に増え、石油の供給量は制裁の上限を超えた。", ("貿易", "石油の供給")),
        ),
    },
    relevance=(
        ("ロシアと北朝鮮は戦略的パートナーシップ条約の締結以降、関係を強化している。", ("ロシア", "北朝鮮")),
        ("モスクワと平壌の協議はソウルと東京で注目を集めた。", ("モスクワ", "平壌")),
    ),
    context=(
        "専門家は、ソウル、東京、ワシントンが状況を注視していると指摘した。",
        "双方は具体的な日程を明らかにしていない。",
        "この報道は独自に確認できていない。",
        "国営メディアは式典の写真を公開したが、詳細はほとんど伝えなかった。",
        "外交筋は次回の協議でこの問題が取り上げられるとみている。",
    ),
    off_topic=(
        (
            "台風で九州南部に大雨",
            (
                "台風の影響で九州南部では記録的な大雨となった。",
                "一部の地域では避難指示が出された。",
                "鉄道各社は運転を見合わせた。",
                "気象台は土砂災害への警戒を呼びかけている。",
            ),
        ),
        (
            "東京の物価、3か月連続で上昇",
            (
                "東京都区部の消費者物価が3か月連続で上昇した。",
                "食料品とエネルギーの値上がりが目立った。",
                "専門家は賃上げの動きにも注目している。",
                "政府は家計支援策を検討している。",
            ),
        ),
    ),
    boilerplate=("最新のニュースは当サイトでご覧いただけます。",),
    slots={"ru_city": ("モスクワ", "ウラジオストク", "ハバロフスク")},
    body_chars=(120, 260),
    sentence_separator="",
)

CHINESE = Wording(
    titles={
        "visit": ("朝鲜代表团抵达{ru_city}举行会谈", "俄罗斯国防部长将访问平壤"),
        "denial": ("俄方否认从朝鲜获得武器的报道", "朝鲜称武器交易指控是捏造"),
        "arms_deal": ("报告称朝鲜向俄罗斯运送{n}个炮弹集装箱", "俄朝被指达成新的武器交易"),
        "drill": ("俄朝海军首次举行联合演习", "美日韩举行联合训练应对俄朝接近"),
        "tech_transfer": ("俄罗斯被指协助朝鲜发射卫星", "专家称朝鲜导弹项目有俄罗斯技术支持"),
        "aid_trade": ("俄罗斯向朝鲜运送{n}吨小麦", "符拉迪沃斯托克至罗津货运列车恢复运行"),
        "general": ("俄朝走近对地区意味着什么", "俄罗斯与朝鲜加强关系"),
    },
    signals={
        "visit": (
            ("由国防相率领的朝鲜代表团抵达{ru_city}举行会谈。", ("代表团", "抵达")),
            ("官员表示，俄罗斯外长将于本月下旬访问平壤。", ("访问",)),
            ("预计两国领导人将很快举行峰会。", ("峰会",)),
        ),
        "denial": (
            ("俄罗斯政府否认从朝鲜获得武器，称相关报道毫无根据。", ("否认",)),
            ("朝鲜外务省发言人驳斥了武器转让的说法，称其为诬蔑。", ("驳斥",)),
        ),
        "arms_deal": (
            ("据消息人士称，自夏季以来约有{n}个装有炮弹的集装箱被运往俄罗斯。", ("炮弹", "集装箱")),
            ("报告称朝鲜向俄军提供了弹道导弹。", ("弹道导弹", "提供")),
        ),
        "drill": (
            ("两国军舰在滨海边疆区附近海域参加了联合海上演习。", ("联合海上演习",)),
            ("韩美日针对俄朝合作加强举行了三方联合训练。", ("联合训练",)),
        ),
        "tech_transfer": (
            ("情报部门认为俄罗斯技术人员协助了卫星发射。", ("卫星发射",)),
            ("据报道，协议涉及导弹技术以及核潜艇研发援助。", ("导弹技术", "核潜艇")),
        ),
        "aid_trade": (
            ("俄罗斯作为人道主义援助向朝鲜运送了{n}吨小麦和面粉。", ("人道主义援助",)),
            ("两国贸易大幅增长，石油供应量超过了制裁规定的上限。", ("贸易", "石油供应")),
        ),
    },
    relevance=(
        ("俄罗斯和朝鲜自签署战略伙伴关系条约以来不断加强关系。", ("俄罗斯", "朝鲜")),
        ("莫斯科与平壤的会谈在首尔和东京引起关注。", ("莫斯科", "平壤")),
    ),
    context=(
        "专家指出，首尔、东京和华盛顿正密切关注局势。",
        "双方没有公布具体时间。",
        "上述报道无法得到独立核实。",
        "官方媒体发布了仪式照片，但几乎没有提供细节。",
        "外交人士预计下一轮会谈将讨论这一问题。",
    ),
    off_topic=(
        (
            "出口增长 航运成本下降",
            (
                "海关数据显示，上月出口同比增长。",
                "分析人士认为航运成本下降带动了需求。",
                "电子产品出口增幅最大。",
                "进口则小幅回落。",
            ),
        ),
        (
            "北京地铁新线开通运营",
            (
                "北京一条新的地铁线路今天开通运营。",
                "新线连接城市东部的两个居住区。",
                "预计日均客流将达到二十万人次。",
                "明年还将有两条线路投入使用。",
            ),
        ),
    ),
    boilerplate=("更多新闻请关注本网站。",),
    slots={"ru_city": ("莫斯科", "符拉迪沃斯托克", "哈巴罗夫斯克")},
    body_chars=(120, 260),
    sentence_separator="",
)

WORDING = {"en": ENGLISH, "ru": RUSSIAN, "uk": UKRAINIAN, "ko": KOREAN, "ja": JAPANESE, "zh": CHINESE}
LANGUAGES = tuple(WORDING)
