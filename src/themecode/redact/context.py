"""What the words after a capitalised word at a sentence start say about it: the verbs and
phrases that only a person is the subject of ("Clover said", "Meadow missed two appointments",
"Haven was arrested"), and the sentence-start words that are never taken for people however
they are followed ("Staff", "Assessment", "One"). Shared by both token engines through
`Redactor._classify` in `themecode.redact.engine`.
"""

from __future__ import annotations

import re

# after any word at a sentence start: what only a person does ("Clover said", "Wren rang")
_SPEECH_VERB = re.compile(
    r"[ \t]+(?:(?:has|had|then|also|later|just|never)[ \t]+)?"
    r"(?:said|told|disclosed|admitted|denied|rang|phoned|texted|claimed|alleged|"
    r"apologised|complained|shouted|threatened|cried|swore|insisted)\b"
    r"|['’]s[ \t]+(?:ex-)?(?:partner|mother|father|mum|dad|son|daughter|children|child|husband|"
    r"wife|boyfriend|girlfriend|brother|sister|baby|grandmother|grandfather)\b"
)
# words that start sentences before those verbs and are not people's names
_NOT_SPEAKERS = frozenset({
    "Staff", "School", "Family", "Neighbour", "Nobody", "Somebody", "Someone", "Everyone",
    "Everybody", "Anyone", "Colleague", "Friend", "Boyfriend", "Girlfriend", "Landlord",
    "Employer", "Teacher", "Doctor", "Nurse", "Manager", "Officer", "Worker", "Caller",
    "Nan", "Stepfather", "Stepmother", "Grandson", "Granddaughter", "Cousin", "Niece", "Nephew",
})
# after a given name that is also a word, at a sentence start: a person's doing ("Hope said")
_PERSON_VERB = re.compile(
    r"[ \t]+(?:said|says|told|tells|reported|reports|disclosed|discloses|stated|states|explained|"
    r"admitted|admits|denied|denies|refused|refuses|failed|fails|agreed|agrees|attended|attends|"
    r"missed|misses|did|does|didn't|doesn't|has|had|hasn't|hadn't|was|wasn't|would|"
    r"will|could|can|cannot|can't|should|rang|rings|called|calls|phoned|texted|moved|lives|"
    r"lived|works|worked|wanted|wants|asked|asks|confirmed|informed|continued|returned|left|"
    r"went|came|became|started|began|spoke|met|needs|needed|felt|feels|appeared|presented|"
    r"claimed|claims|alleged|described|accepted|engaged|completed|received|"
    r"struggled|struggles|also|then|later|now|never|still)\b"
)
# after any English word at a sentence start: what only a person is the subject of, with the
# object or complement that tells it from a terse passive ("Story attended the office" is a
# person; "Meeting attended by police", "Appointment missed on Monday" are not)
_AGENT_CONTEXT = re.compile(
    r"[ \t]+(?:"
    r"(?:reported|confirmed|explained|stated|admitted|accepted|believed|felt|knew|thought)"
    r"[ \t]+(?:that|she|he|they|her|his|him)\b"
    r"|(?:attended|missed|skipped)[ \t]+(?:the|a|an|his|her|their|all|every|several|both|"
    r"one|two|three|four|five|\d+)\b"
    r"|(?:did|does|would|could|will)[ \t]*(?:not|n't)[ \t]+(?:attend|engage|comply|turn[ \t]+up|"
    r"answer|respond|keep|show|disclose|tell|say|admit|accept|agree|want|return|come)\b"
    r"|(?:failed|refused|declined|wanted|agreed|promised|threatened)[ \t]+to\b"
    r"|(?:was|is|has[ \t]+been|had[ \t]+been)[ \t]+(?:arrested|remanded|recalled|sentenced|"
    r"convicted|bailed|cautioned|evicted|hospitalised|sectioned|pregnant|homeless|worried|"
    r"upset|angry|distressed|scared|frightened|afraid|tearful|intoxicated|drunk|assaulted|"
    r"unemployed|abusive|aggressive|adamant)\b"
    r"|ha[sd][ \t]+(?:a|an|one|two|three|four|five|\d+)[ \t]+(?:young[ \t]+|adult[ \t]+)?"
    r"(?:child|children|son|sons|daughter|daughters|baby|partner|brother|sister|stepson|"
    r"stepdaughter)\b"
    r"|(?:and|&)[ \t]+(?:her|his|their)[ \t]+(?:ex-)?(?:partner|mother|father|mum|dad|son|"
    r"daughter|children|husband|wife|boyfriend|girlfriend|brother|sister)\b"
    r")"
)
# sentence-start subjects of those verbs that are documents or processes, not people
_NOT_AGENTS = frozenset({
    "Contact", "Risk", "Progress", "Review", "Report", "Record", "Work", "Delivery", "Oversight",
    "Liaison", "Plan", "Referral", "Recall", "Licence", "Feedback", "Research", "Policy",
    "Guidance", "Evidence", "Intelligence", "Support", "Advice", "Action", "Input", "Nothing",
    "Everything", "Meeting", "Appointment", "Visit", "Check", "Letter", "Note", "Data",
    "One", "Two", "Three", "Another", "Each", "Either", "Neither", "Both", "Several", "Some",
})
_PROCESS_SUFFIXES = ("ment", "tion", "sion", "ing", "ance", "ence", "ness", "ism", "ship")
