"""Name, language and place material for synthetic people. Invented combinations of common names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Culture:
    nationality: str
    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    two_family_names: bool
    languages: tuple[tuple[tuple[str, ...], float], ...]  # language sets with their weights


_HISPANIC_FAMILY = (
    "García",
    "Hernández",
    "López",
    "Martínez",
    "González",
    "Pérez",
    "Rodríguez",
    "Sánchez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Gómez",
    "Morales",
    "Vásquez",
    "Reyes",
    "Jiménez",
    "Torres",
    "Díaz",
    "Gutiérrez",
    "Ruiz",
    "Mendoza",
    "Aguilar",
    "Ortiz",
    "Castillo",
    "Romero",
    "Álvarez",
    "Méndez",
    "Chávez",
    "Rivera",
    "Juárez",
    "Domínguez",
    "Herrera",
    "Medina",
    "Castro",
    "Vargas",
    "Guzmán",
    "Velásquez",
    "Rojas",
    "Orellana",
    "Mejía",
)

CULTURES: tuple[Culture, ...] = (
    Culture(
        "MX",
        0.16,
        ("María", "Guadalupe", "Juana", "Verónica", "Alejandra", "Rosa", "Leticia", "Fernanda", "Ximena"),
        ("José", "Juan", "Luis", "Miguel", "Jesús", "Francisco", "Alejandro", "Ángel", "Diego", "Emiliano"),
        _HISPANIC_FAMILY + ("Nava", "Cervantes", "Zúñiga"),
        True,
        ((("es",), 0.85), (("es", "nah"), 0.05), (("es", "mix"), 0.04), (("es", "tzo"), 0.03), (("es", "zap"), 0.03)),
    ),
    Culture(
        "GT",
        0.16,
        ("María", "Ana", "Rosa", "Sandra", "Marta", "Glendy", "Yesenia", "Heidy", "Lesly"),
        ("José", "Juan", "Carlos", "Byron", "Selvin", "Edwin", "Marvin", "Elmer", "Wilmer", "Brayan"),
        _HISPANIC_FAMILY + ("Tzoc", "Xiloj", "Ajanel", "Cux", "Tax", "Chanchavac", "Batz", "Tum", "Coj", "Sic"),
        True,
        ((("es",), 0.55), (("quc", "es"), 0.18), (("mam", "es"), 0.12), (("kjb", "es"), 0.08), (("cak", "es"), 0.07)),
    ),
    Culture(
        "HN",
        0.18,
        ("María", "Dania", "Karla", "Wendy", "Yolanda", "Sonia", "Keila", "Dilcia", "Nohemí"),
        ("José", "Carlos", "Óscar", "Denis", "Melvin", "Kevin", "Darwin", "Nelson", "Ever", "Josué"),
        _HISPANIC_FAMILY + ("Zelaya", "Maradiaga", "Banegas", "Amaya", "Pineda"),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "SV",
        0.08,
        ("María", "Ana", "Roxana", "Claudia", "Marisol", "Xiomara", "Jaqueline", "Brenda"),
        ("José", "Carlos", "Walter", "Mauricio", "René", "Douglas", "Giovanni", "Rigoberto", "Jonathan"),
        _HISPANIC_FAMILY + ("Alvarado", "Portillo", "Argueta", "Menjívar", "Rivas"),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "NI",
        0.05,
        ("María", "Martha", "Scarleth", "Maryuri", "Ivania", "Francis", "Tania"),
        ("Carlos", "Juan", "Róger", "Bayardo", "Norlan", "Eddy", "Álvaro", "Danilo"),
        _HISPANIC_FAMILY + ("Úbeda", "Obando", "Membreño", "Lacayo"),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "VE",
        0.12,
        ("María", "Daniela", "Yusmary", "Andreína", "Génesis", "Yuleisy", "Oriana", "Rosmary"),
        ("José", "Luis", "Jesús", "Yorman", "Jhonny", "Eduardo", "Anderson", "Wilmer", "Yeferson"),
        _HISPANIC_FAMILY + ("Briceño", "Pernía", "Quintero", "Marcano", "Villarroel"),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "CU",
        0.07,
        ("Yamilé", "Yanelis", "Dayana", "Yudith", "Mayelín", "Arletis", "Yaimara"),
        ("Yoandri", "Yunior", "Alexei", "Osmany", "Yasmani", "Reinier", "Dairon", "Lázaro"),
        _HISPANIC_FAMILY + ("Cabrera", "Betancourt", "Valdés", "Fonseca", "Leyva"),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "HT",
        0.13,
        ("Marie", "Nadège", "Rose-Carline", "Fabiola", "Mirlande", "Guerline", "Widline", "Nerlande"),
        ("Jean", "Wilner", "Jean-Robert", "Frantz", "Wisly", "Mackenson", "Ricardo", "Stevenson", "Pierre"),
        (
            "Joseph",
            "Jean-Baptiste",
            "Pierre",
            "Louis",
            "Charles",
            "Étienne",
            "Desir",
            "Dorvil",
            "Saintil",
            "Augustin",
            "Célestin",
            "Noël",
            "Toussaint",
            "Michel",
            "Valcourt",
            "Fleurimond",
        ),
        False,
        ((("ht", "fr"), 0.55), (("ht", "es"), 0.25), (("ht", "pt"), 0.15), (("ht",), 0.05)),
    ),
    Culture(
        "CM",
        0.05,
        ("Ngozi", "Comfort", "Brenda", "Blessing", "Mireille", "Solange", "Clarisse", "Prudence"),
        ("Emmanuel", "Divine", "Godlove", "Cyprian", "Ayuk", "Jean-Claude", "Brice", "Serge", "Che"),
        ("Ngwa", "Fon", "Tabe", "Mbah", "Nkeng", "Ayuk", "Tanyi", "Njoh", "Mbarga", "Essomba", "Fru", "Nfor"),
        False,
        ((("en",), 0.6), (("fr",), 0.25), (("en", "fr"), 0.15)),
    ),
)

# Cities in northern Mexico where people wait, with a local mobile prefix and the shelters there.
CITIES: tuple[tuple[str, float, str, tuple[str, ...]], ...] = (
    ("Tijuana", 0.22, "664", ("Casa del Migrante Tijuana", "Albergue Juventud 2000", "Embajadores de Jesús")),
    ("Mexicali", 0.06, "686", ("Albergue del Desierto",)),
    ("Ciudad Juárez", 0.18, "656", ("Casa del Migrante Juárez", "Albergue Buen Samaritano")),
    ("Nogales", 0.06, "631", ("Kino Border Initiative",)),
    ("Reynosa", 0.14, "899", ("Senda de Vida", "Casa del Migrante Reynosa")),
    ("Matamoros", 0.12, "868", ("Albergue Pan de Vida",)),
    ("Nuevo Laredo", 0.07, "867", ("Casa Nazareth",)),
    ("Piedras Negras", 0.05, "878", ("Casa del Migrante Frontera Digna",)),
    ("Ciudad Acuña", 0.03, "877", ("Albergue Acuña",)),
    ("Monterrey", 0.07, "81", ("Casa Monarca",)),
)

# The immigration court that heard MPP cases from each city's port.
COURT_FOR_CITY = {
    "Tijuana": "SDI",
    "Mexicali": "SDI",
    "Ciudad Juárez": "ELP",
    "Nogales": "PHO",
    "Reynosa": "HLG",
    "Matamoros": "BRO",
    "Nuevo Laredo": "LRD",
    "Piedras Negras": "SNA",
    "Ciudad Acuña": "SNA",
    "Monterrey": "LRD",
}
