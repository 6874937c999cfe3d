from storage.models import Evidence, EvidenceSource, Person, Workspace


def test_models_round_trip(db) -> None:
    with db.uow() as uow:
        workspace = Workspace(team_id="T1")
        uow.session.add(workspace)
        uow.session.flush()
        person = Person(workspace_id=workspace.id, slack_user_id="U1", tz="Europe/Paris")
        uow.session.add(person)
        uow.session.flush()
        uow.session.add(Evidence(person_id=person.id, text="<!channel> hi", source=EvidenceSource.COMMAND))
    with db.uow() as uow:
        stored = uow.session.query(Evidence).one()
        assert stored.text == "<!channel> hi"
        assert stored.source is EvidenceSource.COMMAND
