"""Which webhook subscriptions to create, repoint or delete so that the app
is subscribed exactly once to each wanted topic at our address."""

from dataclasses import dataclass, field


@dataclass
class WebhookPlan:
    create: list = field(default_factory=list)  # topics (GraphQL enum names)
    update: list = field(default_factory=list)  # (subscription id, topic)
    delete: list = field(default_factory=list)  # subscription ids
    keep: list = field(default_factory=list)  # subscription ids

    @property
    def changes(self):
        return bool(self.create or self.update or self.delete)


def plan_webhook_subscriptions(wanted_topics, uri, existing):
    """``existing`` holds the app's current subscriptions as dicts with
    ``id``, ``topic`` and ``uri``. Subscriptions belong to the app, so one of
    a wanted topic that points elsewhere is ours from an earlier address: it
    is repointed, or deleted when another one already points here. Topics we
    do not want are left alone."""
    plan = WebhookPlan()
    by_topic = {}
    for sub in existing:
        by_topic.setdefault(sub["topic"], []).append(sub)
    for topic in wanted_topics:
        subs = by_topic.get(topic, [])
        ours = [s for s in subs if s["uri"] == uri]
        others = [s for s in subs if s["uri"] != uri]
        if ours:
            plan.keep.append(ours[0]["id"])
            plan.delete.extend(s["id"] for s in ours[1:] + others)
        elif others:
            plan.update.append((others[0]["id"], topic))
            plan.delete.extend(s["id"] for s in others[1:])
        else:
            plan.create.append(topic)
    return plan
