"""Reading complaint text: history import, the classifier and its versions, suggestions at intake and the
agents' decisions on them, similar and repeated complaints, bursts that suggest an outage, topics."""
