"""Name, language and place material for synthetic people. Invented combinations of common names.

Names are drawn by rank, the most common most often (Zipf's law, as surnames and given names are distributed in
real registers: García is about one Mexican in forty, most surnames are rare). A register of a million people
then has as many namesakes as a real one, no more: with a few dozen equally likely names it would have far more,
and linkage measured on it would say little about real data."""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Culture:
    nationality: str
    weight: float
    female: tuple[str, ...]  # most common first
    male: tuple[str, ...]
    family: tuple[str, ...]
    two_family_names: bool
    languages: tuple[tuple[tuple[str, ...], float], ...]  # language sets with their weights


# Frequency by rank, 1 / (rank + offset) (Zipf–Mandelbrot): the offset stands for the long tail our lists
# leave out. Surnames: García about 3 % of Mexican surnames, as in Mexico's records; given names are more
# concentrated (María, José).
FAMILY_ZIPF = 10.0
GIVEN_ZIPF = 3.0


@functools.cache
def _cumulative(size: int, offset: float) -> tuple[float, ...]:
    return tuple(itertools.accumulate(1 / (rank + offset) for rank in range(1, size + 1)))


def by_rank(rng: random.Random, names: Sequence[str], offset: float) -> str:
    """A name from a list ordered most common first, drawn with Zipf–Mandelbrot frequencies."""
    return rng.choices(names, cum_weights=_cumulative(len(names), offset), k=1)[0]


def _ranked(shared: tuple[str, ...], own: tuple[str, ...], at: int) -> tuple[str, ...]:
    """A country's list, most common first: the first `at` shared names, its own names, the rest of the shared."""
    return tuple(dict.fromkeys(shared[:at] + own + shared[at:]))


_HISPANIC_FAMILY = (
    "García", "Hernández", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez", "Cruz",
    "Flores", "Gómez", "Morales", "Vásquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz",
    "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez", "Rivera",
    "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán", "Velásquez", "Muñoz",
    "Rojas", "Contreras", "Salazar", "Luna", "Ortega", "Guerrero", "Estrada", "Bautista", "Cortés", "Soto",
    "Alvarado", "Espinoza", "Lara", "Ávila", "Ríos", "Cervantes", "Silva", "Delgado", "Vega", "Márquez",
    "Sandoval", "Fernández", "León", "Carrillo", "Mejía", "Solís", "Núñez", "Rosas", "Valdez", "Ibarra",
    "Campos", "Santiago", "Navarro", "Maldonado", "Rosales", "Acosta", "Peña", "Miranda", "Cabrera", "Valencia",
    "Trejo", "Navarrete", "Robles", "Molina", "Rangel", "Fuentes", "Cárdenas", "Padilla", "Escobar", "Zamora",
    "Orozco", "Montes", "Pacheco", "Nava", "Salinas", "Guerra", "Meza", "Ochoa", "Lozano", "Villalobos",
    "Arellano", "Osorio", "Benítez", "Franco", "Duarte", "Velasco", "Pineda", "Sosa", "Cano", "Marín",
    "Barrera", "Figueroa", "Calderón", "Galván", "Tapia", "Serrano", "Mata", "Rivas", "Andrade", "Zúñiga",
    "Quintero", "Vera", "Ponce", "Bermúdez", "Paredes", "Arias", "Montoya", "Mora", "Beltrán", "Cisneros",
    "Villanueva", "Avendaño", "Escamilla", "Palacios", "Zavala", "Santos", "Barrios", "Villegas", "Gallegos",
    "Rubio", "Bravo", "Esquivel", "Jaramillo", "Lucero", "Becerra", "Cordero", "Valenzuela", "Carrasco",
    "Olvera", "Orellana", "Quiroz", "Hidalgo", "Saavedra", "Aguirre", "Carranza", "Galindo", "Durán", "Ayala",
    "Carmona", "Sierra", "Caballero", "Villarreal", "Trujillo", "Arroyo", "Cuevas", "Bonilla", "Ventura",
    "Zepeda", "Murillo", "Arévalo", "Escalante", "Urbina", "Cáceres", "Corrales", "Sevilla", "Lagos",
    "Medrano", "Matute", "Funes", "Cálix", "Reyna", "Barahona", "Padrón", "Segura", "Tovar", "Valle", "Pizarro",
    "Leiva", "Salgado", "Ocampo", "Huerta", "Angulo", "Lemus", "Cifuentes", "Monzón", "Recinos", "Girón",
    "Alfaro", "Marroquín", "Solórzano", "Barillas", "Samayoa", "Aldana", "Cordón", "Ordóñez", "Palma", "Soriano",
)  # fmt: skip

_HISPANIC_FEMALE = (
    "María", "Ana", "Rosa", "Juana", "Guadalupe", "Carmen", "Sandra", "Verónica", "Alejandra", "Leticia",
    "Patricia", "Elizabeth", "Gabriela", "Adriana", "Martha", "Laura", "Claudia", "Silvia", "Mónica", "Norma",
    "Teresa", "Yolanda", "Araceli", "Margarita", "Isabel", "Lucía", "Paola", "Andrea", "Daniela", "Fernanda",
    "Valeria", "Ximena", "Karla", "Diana", "Brenda", "Karen", "Jessica", "Wendy", "Alma", "Blanca", "Lorena",
    "Erika", "Sofía", "Camila", "Mariana", "Carolina", "Esmeralda", "Marisol", "Fátima", "Gloria", "Sara",
    "Irma", "Olga", "Elena", "Cecilia", "Susana", "Josefina", "Beatriz", "Rocío", "Dulce", "Yesenia",
    "Jennifer", "Cristina", "Natalia", "Reina", "Dalia", "Angélica", "Miriam", "Estela", "Gisela", "Lidia",
    "Alicia", "Rebeca", "Perla", "Jazmín", "Nancy", "Evelyn", "Iris", "Ruth", "Noemí",
)  # fmt: skip

_HISPANIC_MALE = (
    "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Francisco", "Jesús", "Antonio", "Alejandro", "Pedro",
    "Manuel", "Ricardo", "Fernando", "Roberto", "Javier", "Daniel", "Eduardo", "Sergio", "Mario", "Rafael",
    "Raúl", "Arturo", "Ángel", "Martín", "Víctor", "Óscar", "David", "Enrique", "Alberto", "Gerardo", "Héctor",
    "Hugo", "Julio", "Ramón", "Rubén", "Salvador", "Armando", "Adrián", "Diego", "Santiago", "Mateo",
    "Sebastián", "Kevin", "Brayan", "Edwin", "Marvin", "Wilmer", "Nelson", "Josué", "Denis", "Darwin", "Henry",
    "Cristian", "Andrés", "Gustavo", "Pablo", "Ignacio", "Guillermo", "Alfredo", "Rodrigo", "Esteban",
    "Gabriel", "Isaac", "Samuel", "Erick", "Alexander", "Omar", "Felipe", "Alfonso", "Joel", "Abel", "Moisés",
    "Ismael", "Efraín", "Elías", "Tomás", "Noé", "Saúl", "Emilio",
)  # fmt: skip

_HAITIAN_FAMILY = (
    "Joseph", "Jean-Baptiste", "Pierre", "Louis", "Charles", "Jean", "Étienne", "Desir", "Dorvil", "Saintil",
    "Augustin", "Célestin", "Noël", "Toussaint", "Michel", "Valcourt", "Fleurimond", "Jean-Louis", "Pierre-Louis",
    "Alexis", "Baptiste", "François", "Paul", "Jacques", "Georges", "Philippe", "Antoine", "Dorélien",
    "Fils-Aimé", "Lafleur", "Laguerre", "Jeune", "Théodore", "Guerrier", "Bien-Aimé", "Desrosiers", "Estimé",
    "Lamour", "Cadet", "Charlemagne", "Delva", "Dieudonné", "Exantus", "Fortuné", "Hyppolite", "Innocent",
    "Joachim", "Jules", "Lubin", "Mathurin", "Métellus", "Mondésir", "Narcisse", "Octavius", "Petit-Frère",
    "Pierre-Paul", "Registre", "Saint-Fleur", "Saint-Louis", "Sylvain", "Thermidor", "Vilmé", "Voltaire",
    "Zéphirin", "Similien", "Casséus", "Bélizaire", "Bastien", "Édouard", "Florestal", "Jean-Gilles", "Compère",
    "Adrien", "Altidor", "Aristide", "Auguste", "Beauvais", "Bellegarde", "Bernard", "Calixte", "Chéry", "Décembre",
    "Delice", "Destin", "Dorméus", "Duverseau", "Félix", "Fleury", "Germain", "Guillaume", "Jean-Charles",
    "Jean-Jacques", "Jean-Philippe", "Jérôme", "Josaphat", "Laurent", "Léger", "Lindor", "Lorméus", "Louissaint",
    "Lundi", "Maxime", "Ménard", "Milfort", "Moïse", "Nicolas", "Occéan", "Orélus", "Pierre-Jacques", "Prophète",
    "Romain", "Saint-Hilaire", "Saint-Juste", "Salomon", "Sanon", "Syméus", "Thélusma", "Timothée", "Ulysse",
    "Vixamar", "Volcy", "Mérilus", "Désiré", "Estinvil",
)  # fmt: skip

_CAMEROONIAN_FAMILY = (
    "Ngwa", "Fon", "Tabe", "Mbah", "Nkeng", "Ayuk", "Tanyi", "Njoh", "Mbarga", "Essomba", "Fru", "Nfor",
    "Tchinda", "Kamga", "Fotso", "Nana", "Ngono", "Atangana", "Owona", "Abena", "Mballa", "Ekane", "Ndip",
    "Tambe", "Enow", "Agbor", "Ashu", "Besong", "Ebai", "Egbe", "Mbu", "Nji", "Che", "Ndifor", "Ngum", "Fomba",
    "Tata", "Wirba", "Kum", "Nkwenti", "Chia", "Tita", "Forbi", "Nsom", "Achu", "Ambe", "Neba", "Tamfu",
    "Abanda", "Akono", "Amougou", "Bekolo", "Biloa", "Djomo", "Ebogo", "Ekwalla", "Etoundi", "Fouda", "Kameni",
    "Kenmogne", "Mbida", "Mengue", "Messi", "Mvondo", "Ndongo", "Ngah", "Njoya", "Nkoulou", "Noah", "Ondoa",
    "Simo", "Tagne", "Tchakounte", "Wamba", "Yomba", "Zambo", "Akwa", "Bate", "Eyong", "Ojong", "Oben", "Takang",
    "Nkwain", "Fokum", "Lukong", "Ngwane", "Nforba", "Yuh", "Awah", "Nchotu",
)  # fmt: skip

# fmt: off
CULTURES: tuple[Culture, ...] = (
    Culture(
        "MX",
        0.16,
        _ranked(_HISPANIC_FEMALE, ("Guadalupe", "Juana", "Verónica", "Leticia", "Ximena"), 1),
        _ranked(_HISPANIC_MALE, ("Jesús", "Ángel", "Emiliano"), 6),
        _ranked(_HISPANIC_FAMILY, ("Cervantes", "Zúñiga", "Nava"), 30),
        True,
        ((("es",), 0.85), (("es", "nah"), 0.05), (("es", "mix"), 0.04), (("es", "tzo"), 0.03), (("es", "zap"), 0.03)),
    ),
    Culture(
        "GT",
        0.16,
        _ranked(_HISPANIC_FEMALE, ("Marta", "Glendy", "Yesenia", "Heidy", "Lesly"), 4),
        _ranked(_HISPANIC_MALE, ("Byron", "Selvin", "Edwin", "Marvin", "Elmer", "Wilmer", "Brayan"), 3),
        _ranked(
            _HISPANIC_FAMILY,
            ("Tzoc", "Xiloj", "Ajanel", "Cux", "Tax", "Chanchavac", "Batz", "Tum", "Coj", "Sic", "Ixcoy", "Chicoj",
             "Tuyuc", "Ixcot", "Sipac", "Tzunún", "Yax", "Puac", "Chavajay", "Quiejú", "Ajú", "Cotí", "Xicay"),
            12,
        ),
        True,
        ((("es",), 0.55), (("quc", "es"), 0.18), (("mam", "es"), 0.12), (("kjb", "es"), 0.08), (("cak", "es"), 0.07)),
    ),
    Culture(
        "HN",
        0.18,
        _ranked(_HISPANIC_FEMALE, ("Dania", "Karla", "Wendy", "Yolanda", "Sonia", "Keila", "Dilcia", "Nohemí"), 2),
        _ranked(_HISPANIC_MALE, ("Óscar", "Denis", "Melvin", "Kevin", "Darwin", "Nelson", "Ever", "Josué"), 3),
        _ranked(_HISPANIC_FAMILY, ("Zelaya", "Maradiaga", "Banegas", "Amaya", "Pineda", "Cálix", "Matute"), 25),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "SV",
        0.08,
        _ranked(_HISPANIC_FEMALE, ("Roxana", "Claudia", "Marisol", "Xiomara", "Jaqueline", "Brenda"), 2),
        _ranked(_HISPANIC_MALE, ("Walter", "Mauricio", "René", "Douglas", "Giovanni", "Rigoberto", "Jonathan"), 3),
        _ranked(_HISPANIC_FAMILY, ("Alvarado", "Portillo", "Argueta", "Menjívar", "Rivas"), 25),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "NI",
        0.05,
        _ranked(_HISPANIC_FEMALE, ("Martha", "Scarleth", "Maryuri", "Ivania", "Francis", "Tania"), 1),
        _ranked(_HISPANIC_MALE, ("Róger", "Bayardo", "Norlan", "Eddy", "Álvaro", "Danilo"), 4),
        _ranked(_HISPANIC_FAMILY, ("Úbeda", "Obando", "Membreño", "Lacayo"), 25),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "VE",
        0.12,
        _ranked(_HISPANIC_FEMALE, ("Daniela", "Yusmary", "Andreína", "Génesis", "Yuleisy", "Oriana", "Rosmary"), 1),
        _ranked(_HISPANIC_MALE, ("Yorman", "Jhonny", "Eduardo", "Anderson", "Wilmer", "Yeferson"), 3),
        _ranked(_HISPANIC_FAMILY, ("Briceño", "Pernía", "Quintero", "Marcano", "Villarroel"), 25),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "CU",
        0.07,
        _ranked(_HISPANIC_FEMALE, ("Yamilé", "Yanelis", "Dayana", "Yudith", "Mayelín", "Arletis", "Yaimara"), 0),
        _ranked(_HISPANIC_MALE, ("Yoandri", "Yunior", "Alexei", "Osmany", "Yasmani", "Reinier", "Dairon", "Lázaro"), 0),
        _ranked(_HISPANIC_FAMILY, ("Cabrera", "Betancourt", "Valdés", "Fonseca", "Leyva"), 25),
        True,
        ((("es",), 1.0),),
    ),
    Culture(
        "HT",
        0.13,
        (
            "Marie", "Nadège", "Rose-Carline", "Fabiola", "Mirlande", "Guerline", "Widline", "Nerlande", "Roseline",
            "Marie-Carmelle", "Judith", "Esther", "Lovely", "Darline", "Mirlène", "Fabienne", "Nathalie", "Sandra",
            "Myrlande", "Rose-Marie", "Jocelyne", "Wislande", "Kettely", "Islande", "Chantal", "Gina", "Mireille",
            "Louise", "Magalie", "Sophonie", "Natacha", "Sherline", "Vanessa", "Roselaure", "Martine", "Yolette",
            "Bethania", "Daphnée", "Dieula", "Elmithe", "Farah", "Guerda", "Katia", "Lunie", "Manoucheka", "Marjorie",
            "Medjine", "Rachelle", "Sabine", "Stéphanie", "Taïna", "Yvrose", "Fedeline", "Loudie", "Marlène",
            "Rosemène", "Mimose", "Francesca", "Cassandra", "Anne-Marie", "Marie-Josée", "Marie-Ange", "Naïka",
            "Esperancia", "Jeannette", "Clotilde", "Évelyne", "Ketly", "Myriam", "Régine", "Phara", "Wideline",
        ),
        (
            "Jean", "Wilner", "Jean-Robert", "Frantz", "Wisly", "Mackenson", "Ricardo", "Stevenson", "Pierre",
            "Jean-Claude", "Jean-Pierre", "Jean-Marc", "Wilson", "Wilfrid", "Jimmy", "Johnson", "Peterson",
            "Emmanuel", "Joseph", "Jacques", "Fritz", "Fritznel", "Ronald", "Evens", "Lovensky", "Ralph", "Roodson",
            "Daniel", "Patrick", "Samuel", "Junior", "Kervens", "Jackson", "Dieuseul", "Anel", "Yves", "Claudel",
            "Wesner", "Widlin", "Wilkens", "Woodly", "Jean-Wesley", "Jean-Rony", "Réginald", "Rodney", "Reynold",
            "Stanley", "Jonas", "Gérald", "Guy", "Harold", "Herby", "Jameson", "Jefferson", "Kenley", "Kesnel",
            "Luckner", "Maxo", "Nixon", "Obed", "Pierre-Richard", "Rony", "Roosevelt", "Schneider", "Wilbens",
            "Wilguens", "Wisner", "Yvenel", "Dieuveut", "Ernso", "Frednel",
        ),
        _HAITIAN_FAMILY,
        False,
        ((("ht", "fr"), 0.55), (("ht", "es"), 0.25), (("ht", "pt"), 0.15), (("ht",), 0.05)),
    ),
    Culture(
        "CM",
        0.05,
        (
            "Ngozi", "Comfort", "Brenda", "Blessing", "Mireille", "Solange", "Clarisse", "Prudence", "Grace", "Mercy",
            "Patience", "Gladys", "Sandrine", "Nadine", "Florence", "Esther", "Rita", "Delphine", "Josiane",
            "Bertine", "Linda", "Vivian", "Irene", "Cynthia", "Doris", "Pamela", "Stella", "Sylvie", "Carine",
            "Pélagie", "Odile", "Hortense", "Eveline", "Yvette", "Nicoline", "Relindis", "Quinta", "Emilia", "Agnes",
            "Bih", "Ngum", "Sirri", "Lum", "Nahbila", "Kah", "Ajara", "Mbong", "Fri", "Nain",
        ),
        (
            "Emmanuel", "Divine", "Godlove", "Cyprian", "Ayuk", "Jean-Claude", "Brice", "Serge", "Che", "Collins",
            "Clovis", "Eric", "Franck", "Hervé", "Ivo", "Kingsley", "Leonel", "Martin", "Nelson", "Paul", "Raoul",
            "Samuel", "Terence", "Valentine", "Wilfred", "Yannick", "Boris", "Cedric", "Christian", "Derrick",
            "Akwo", "Bertrand", "Blaise", "Fidelis", "Gaston", "Innocent", "Landry", "Modeste", "Patrice", "Rodrigue",
            "Tanwie", "Fonyuy", "Nfon", "Neba", "Bongwa", "Tebit", "Ngalim", "Azah", "Fuh", "Achaleke",
        ),
        _CAMEROONIAN_FAMILY,
        False,
        ((("en",), 0.6), (("fr",), 0.25), (("en", "fr"), 0.15)),
    ),
)
# fmt: on

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
