"""The language of catalogue data as a BCP 47 tag, for the `lang` attribute.

MARC 21 records name their language with MARC language codes (008/35-37 and 041 $a),
which are ISO 639-2/B ("ger", "fre", "cze"); HTML wants BCP 47, which uses the two-letter
ISO 639-1 code where there is one ("de", "fr", "cs") and the three-letter code otherwise
("grc", "haw"). Screen readers switch voice on `lang`, so English headings are not read
with Polish pronunciation. The tables cover every ISO 639-2 code (B and T forms) and the
discontinued MARC codes older records still carry; anything else gives no tag.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy

PAGE_LANGUAGE = "pl"

# MARC/ISO 639-2 code -> ISO 639-1 (written "marc:bcp47"), from ISO 639-2 and the MARC
# Code List for Languages (discontinued codes: cam, esk, esp, far, iri, scc, scr, ...).
_TWO_LETTER = """
aar:aa abk:ab afr:af aka:ak alb:sq amh:am ara:ar arg:an arm:hy asm:as ava:av ave:ae aym:ay
aze:az bak:ba bam:bm baq:eu bel:be ben:bn bih:bh bis:bi bod:bo bos:bs bre:br bul:bg bur:my
cam:km cat:ca ces:cs cha:ch che:ce chi:zh chu:cu chv:cv cor:kw cos:co cre:cr cym:cy cze:cs
dan:da deu:de div:dv dut:nl dzo:dz ell:el eng:en epo:eo esk:iu esp:eo est:et eth:gez eus:eu
ewe:ee fao:fo far:fo fas:fa fij:fj fin:fi fra:fr fre:fr fri:fy fry:fy ful:ff gae:gd gag:gl
gal:om geo:ka ger:de gla:gd gle:ga glg:gl glv:gv gre:el grn:gn gua:gn guj:gu hat:ht hau:ha
heb:he her:hz hin:hi hmo:ho hrv:hr hun:hu hye:hy ibo:ig ice:is ido:io iii:ii iku:iu ile:ie
ina:ia ind:id int:ia ipk:ik iri:ga isl:is ita:it jav:jv jpn:ja kal:kl kan:kn kas:ks kat:ka
kau:kr kaz:kk khm:km kik:ki kin:rw kir:ky kom:kv kon:kg kor:ko kua:kj kur:ku kus:kos lan:oc
lao:lo lap:smi lat:la lav:lv lim:li lin:ln lit:lt ltz:lb lub:lu lug:lg mac:mk mah:mh mal:ml
mao:mi mar:mr max:gv may:ms mkd:mk mla:mg mlg:mg mlt:mt mol:ro mon:mn mri:mi msa:ms mya:my
nau:na nav:nv nbl:nr nde:nd ndo:ng nep:ne nld:nl nno:nn nob:nb nor:no nya:ny oci:oc oji:oj
ori:or orm:om oss:os pan:pa per:fa pli:pi pol:pl por:pt pus:ps que:qu roh:rm ron:ro rum:ro
run:rn rus:ru sag:sg san:sa sao:sm scc:sr scr:hr sho:sn sin:si slk:sk slo:sk slv:sl sme:se
smo:sm sna:sn snd:sd snh:si som:so sot:st spa:es sqi:sq srd:sc srp:sr sso:st ssw:ss sun:su
swa:sw swe:sv swz:ss tag:tl tah:ty taj:tg tam:ta tar:tt tat:tt tel:te tgk:tg tgl:tl tha:th
tib:bo tir:ti ton:to tsn:tn tso:ts tsw:tn tuk:tk tur:tr twi:tw uig:ug ukr:uk urd:ur uzb:uz
ven:ve vie:vi vol:vo wel:cy wln:wa wol:wo xho:xh yid:yi yor:yo zha:za zho:zh zul:zu
"""

# ISO 639-2 codes without a two-letter code: the code itself is the BCP 47 tag.
_OWN = """
ace ach ada ady afa afh ain akk ale alg alt ang anp apa arc arn arp art arw ast ath aus awa
bad bai bal ban bas bat bej bem ber bho bik bin bla bnt bra btk bua bug byn cad cai car cau
ceb cel chb chg chk chm chn cho chp chr chy cmc cnr cop cpe cpf cpp crh crp csb cus dak dar
day del den dgr din doi dra dsb dua dum dyu efi egy eka elx enm ewo fan fat fil fiu fon frm
fro frr frs fur gaa gay gba gem gez gil gmh goh gon gor got grb grc gsw gwi hai haw hil him
hit hmn hsb hup iba ijo ilo inc ine inh ira iro jbo jpr jrb kaa kab kac kam kar kaw kbd kha
khi kho kmb kok kos kpe krc krl kro kru kum kut lad lah lam lez lol loz lua lui lun luo lus
mad mag mai mak man map mas mdf mdr men mga mic min mkh mnc mni mno moh mos mun mus mwl mwr
myn myv nah nai nap nds new nia nic niu nog non nqo nso nub nwc nym nyn nyo nzi osa ota oto
paa pag pal pam pap pau peo phi phn pon pra pro raj rap rar roa rom rup sad sah sai sal sam
sas sat scn sco sel sem sga sgn shn sid sio sit sla sma smi smj smn sms snk sog son srn srr
ssa suk sus sux syc syr tai tem ter tet tig tiv tkl tlh tli tmh tog tpi tsi tum tup tut tvl
tyv udm uga umb vai vot wak wal war was wen xal yao yap ypk zap zbl zen zgh znd zun zza
"""

# Not a language of the text: multiple, undetermined, no linguistic content,
# uncoded, local use (qaa-qtz). They give no tag.
NOT_A_LANGUAGE = frozenset({"mul", "und", "zxx", "mis", "   ", "|||", "^^^"})

MARC_TO_BCP47: dict[str, str] = {
    **{code: code for code in _OWN.split()},
    **dict(pair.split(":") for pair in _TWO_LETTER.split()),
}

# Subject thesauri by the second indicator of 6XX (0-6) or, with indicator 7, by $2.
# The Library of Congress, MeSH, NAL and Canadian headings are English, RVM French;
# 4 (source not specified) says nothing about the language.
THESAURUS_BY_INDICATOR = {"0": "en", "1": "en", "2": "en", "3": "en", "5": "en", "6": "fr"}
THESAURUS_BY_SOURCE = {
    "lcsh": "en",
    "lcshac": "en",
    "lcgft": "en",
    "fast": "en",
    "mesh": "en",
    "nal": "en",
    "aat": "en",
    "bisacsh": "en",
    "sears": "en",
    "gnd": "de",
    "swd": "de",
    "rameau": "fr",
    "ram": "fr",
    "embne": "es",
    "czenas": "cs",
    "czmesh": "cs",
    "nsbncf": "it",
    "dbn": "pl",
    "jhpk": "pl",
}


def bcp47(code: Any) -> str:
    """The BCP 47 tag of a MARC language code, "" when unknown or not a language."""
    code = str(code or "").strip().lower()
    if code in NOT_A_LANGUAGE or len(code) != 3:
        return ""
    return MARC_TO_BCP47.get(code, "")


# Languages not written in Latin script by default. Catalogues (the Library of Congress
# among them) give their titles romanised in 245 ("Voĭna i mir"), which is then tagged
# "ru-Latn", so a screen reader does not read Latin letters as Russian text.
_NON_LATIN = """
am ar as be bg bn bo dv el fa gu he hi hy iu ja ka kk km kn ko ky lo mk ml mn mr my ne
or pa ps ru si ta te tg th ti tt uk ur yi zh
"""
NON_LATIN = frozenset(_NON_LATIN.split())


def is_latin(text: str) -> bool:
    """True when every letter of the text is a Latin letter."""
    return all("LATIN" in unicodedata.name(c, "") for c in text if c.isalpha())


def foreign(code: Any, text: str = "") -> str:
    """The tag for a `lang` attribute: "" for Polish (the page's language) and unknowns;
    a romanised text in a language of another script gets "-Latn"."""
    tag = bcp47(code)
    if tag == PAGE_LANGUAGE:
        return ""
    if tag in NON_LATIN and text and is_latin(text):
        return f"{tag}-Latn"
    return tag


def thesaurus_language(ind2: str, source: str = "") -> str:
    """The language of a subject heading by its thesaurus, "" when not known."""
    if ind2 == "7":
        return THESAURUS_BY_SOURCE.get(source.strip().lower().rstrip("."), "")
    return THESAURUS_BY_INDICATOR.get(ind2, "")


# The languages the catalogue names in words (facets, result lines); others show the code.
LANGUAGE_NAMES = {
    "pol": gettext_lazy("Polish"),
    "eng": gettext_lazy("English"),
    "ger": gettext_lazy("German"),
    "fre": gettext_lazy("French"),
    "rus": gettext_lazy("Russian"),
    "ukr": gettext_lazy("Ukrainian"),
    "spa": gettext_lazy("Spanish"),
    "ita": gettext_lazy("Italian"),
    "lat": gettext_lazy("Latin"),
    "heb": gettext_lazy("Hebrew"),
    "yid": gettext_lazy("Yiddish"),
}


def language_name(code: Any) -> str:
    """The language of a MARC code in words ("angielski"), else the code itself."""
    code = str(code or "").strip().lower()
    return str(LANGUAGE_NAMES.get(code, code))
