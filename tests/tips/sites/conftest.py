import pytest
from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer


class _Records(BaseResolver):
    def __init__(self):
        self.txt: dict[str, list[str]] = {}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name in self.txt and QTYPE[request.q.qtype] == "TXT":
            for value in self.txt[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        elif name not in self.txt:
            reply.header.rcode = 3  # NXDOMAIN
        return reply


@pytest.fixture
def local_dns(settings):
    """A real DNS server on a loopback UDP port; the TXT check asks it (test-only setting)."""
    records = _Records()
    server = DNSServer(records, port=0, address="127.0.0.1")
    server.start_thread()
    settings.SITES_DNS_NAMESERVERS = [("127.0.0.1", server.server.server_address[1])]
    yield records.txt
    server.stop()
