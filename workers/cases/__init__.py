"""The case layer (办件): the operations on a case that the API, the pages, the Celery tasks and the CLI all call.

    intake.py    the one intake path: a file or a chip-reader record joins the service (and a case)
    opening.py   opening a case for a service item and situation
    flow.py      transitions between states, and the 容缺 lapse sweep
    acts.py      people's other acts: corrections, originals seen, 好差评, discarding a shot
    notices.py   notices and decisions: their data and their document numbers
    records.py   reading a case: visibility, materials, latest acts, what is owed, the timeline

Functions take the process's services (workers/wiring.py `Services`) or the parts they need, check the act,
record it through storage/, reassess when the act changes what the assessment reads, and raise
pipeline.errors.CaseRefused with one of the refusal codes listed there. They never import Celery or the API; `at` (the time of the act) is always explicit.
"""
