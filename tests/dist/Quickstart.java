// The Java install quickstart (README "Install"), as make test-dist-java runs it: compiled
// against the release jar and jna.jar only, no repository. Prints the scheme of the header,
// the status of a signed GET, the library's version and where it was loaded from. The emulator
// is AUTHTOKEN_EMULATOR, the password AUTHTOKEN_PASSWORD (no logout here).
import authtoken.AuthToken;
import authtoken.Client;

public final class Quickstart {
    private Quickstart() {}

    public static void main(String[] args) {
        try (Client client = Client.builder()
                .provider("tpstreams")
                .username("hari@example.com")
                .organizationId("auhf2k")
                .baseUrl(System.getenv("AUTHTOKEN_EMULATOR") + "/tpstreams")
                .build()) {
            String scheme = client.authorizationHeader().split(" ")[0];
            int status = client.get("/api/v1/auhf2k/assets/").raiseForStatus().status();
            System.out.println("java " + System.getProperty("java.version") + ": scheme " + scheme + ", GET assets "
                    + status + ", authtoken " + AuthToken.libraryVersion() + ", library " + AuthToken.libraryPath());
        }
    }
}
