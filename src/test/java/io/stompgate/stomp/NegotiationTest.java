package io.stompgate.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Version and heart-beat negotiation: pure functions of the two peers' headers. */
class NegotiationTest {

    // Versions

    @Test
    void highestCommonVersionIsChosen() {
        assertThat(StompVersion.negotiate("1.0,1.1,1.2")).contains(StompVersion.V1_2);
    }

    @Test
    void absentAcceptVersionMeansA10Client() {
        assertThat(StompVersion.negotiate(null)).contains(StompVersion.V1_0);
    }

    @Test
    void onlyUnknownVersionsMeansNoCommonVersion() {
        assertThat(StompVersion.negotiate("2.0")).isEmpty();
    }

    @Test
    void spacesAroundOfferedVersionsAreIgnored() {
        assertThat(StompVersion.negotiate("1.1, 1.0")).contains(StompVersion.V1_1);
    }

    @Test
    void orderOfOfferedVersionsDoesNotMatter() {
        assertThat(StompVersion.negotiate("1.2,1.0")).contains(StompVersion.V1_2);
    }

    @Test
    void unknownVersionsBesideKnownOnesAreIgnored() {
        assertThat(StompVersion.negotiate("2.0,1.1,foo")).contains(StompVersion.V1_1);
    }

    @Test
    void subprotocolNamesItsVersion() {
        assertThat(StompVersion.fromSubprotocol("v12.stomp")).contains(StompVersion.V1_2);
        assertThat(StompVersion.fromSubprotocol("v11.stomp")).contains(StompVersion.V1_1);
        assertThat(StompVersion.fromSubprotocol("v10.stomp")).contains(StompVersion.V1_0);
    }

    @Test
    void subprotocolIsMatchedIgnoringCase() {
        assertThat(StompVersion.fromSubprotocol("V12.STOMP")).contains(StompVersion.V1_2);
    }

    @Test
    void foreignSubprotocolNamesNoVersion() {
        assertThat(StompVersion.fromSubprotocol("mqtt")).isEmpty();
    }

    @Test
    void onlyVersionsFrom11OnEscapeHeaders() {
        assertThat(StompVersion.V1_0.escapesHeaders()).isFalse();
        assertThat(StompVersion.V1_1.escapesHeaders()).isTrue();
        assertThat(StompVersion.V1_2.escapesHeaders()).isTrue();
    }

    // Heart-beat header

    @Test
    void absentHeartBeatHeaderMeansNoHeartBeats() {
        assertThat(HeartBeat.parse(null)).isEqualTo(HeartBeat.NONE);
    }

    @Test
    void heartBeatHeaderGivesSendIntervalThenReceiveInterval() {
        assertThat(HeartBeat.parse("100,200")).isEqualTo(new HeartBeat(100, 200));
    }

    @Test
    void spacesAroundHeartBeatIntervalsAreTolerated() {
        assertThat(HeartBeat.parse(" 100 , 200 ")).isEqualTo(new HeartBeat(100, 200));
    }

    @Test
    void zerosParseAsNoHeartBeats() {
        assertThat(HeartBeat.parse("0,0")).isEqualTo(HeartBeat.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "100", "a,b", "-1,0", "0,-1", "1,2,3", ",", "1,", "+1,0", "10000000000,0"})
    void malformedHeartBeatHeaderParsesAsNull(String header) {
        assertThat(HeartBeat.parse(header)).isNull();
    }

    @Test
    void headerValueIsSendIntervalCommaReceiveInterval() {
        assertThat(new HeartBeat(10_000, 5_000).headerValue()).isEqualTo("10000,5000");
    }

    @Test
    void negativeIntervalsAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> new HeartBeat(-1, 0));
    }

    // Heart-beat negotiation, named by direction

    @Test
    void serverToClientBeatsUseTheSlowerOfServerAbilityAndClientWish() {
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(0, 20_000), new HeartBeat(10_000, 0)).sendMs())
                .isEqualTo(20_000);
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(0, 5_000), new HeartBeat(10_000, 0)).sendMs())
                .isEqualTo(10_000);
    }

    @Test
    void clientToServerBeatsUseTheSlowerOfClientAbilityAndServerWish() {
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(30_000, 0), new HeartBeat(0, 10_000)).receiveMs())
                .isEqualTo(30_000);
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(1_000, 0), new HeartBeat(0, 10_000)).receiveMs())
                .isEqualTo(10_000);
    }

    @Test
    void clientThatWantsNoBeatsGetsNoServerToClientBeats() {
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(5_000, 0), new HeartBeat(10_000, 10_000)).sendMs())
                .isZero();
    }

    @Test
    void serverThatCannotSendBeatsSendsNone() {
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(5_000, 5_000), new HeartBeat(0, 10_000)).sendMs())
                .isZero();
    }

    @Test
    void clientThatCannotSendBeatsIsNotExpectedToSendAny() {
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(0, 5_000), new HeartBeat(10_000, 10_000)).receiveMs())
                .isZero();
    }

    @Test
    void serverThatWantsNoBeatsExpectsNoClientToServerBeats() {
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(5_000, 5_000), new HeartBeat(10_000, 0)).receiveMs())
                .isZero();
    }

    @Test
    void zerosOnEitherSideDisableHeartBeatsBothWays() {
        assertThat(HeartBeat.negotiateForServer(HeartBeat.NONE, new HeartBeat(10_000, 10_000))).isEqualTo(HeartBeat.NONE);
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(10_000, 10_000), HeartBeat.NONE)).isEqualTo(HeartBeat.NONE);
    }

    // The server's offer: what the client asks, down to a floor

    private static final HeartBeat CONFIGURED = new HeartBeat(10_000, 10_000);
    private static final long FLOOR = 1_000;

    /** Both peers' view of the intervals, given what the server offered. */
    private static HeartBeat settled(HeartBeat client) {
        return HeartBeat.negotiateForServer(client, HeartBeat.offerFor(client, CONFIGURED, FLOOR));
    }

    @Test
    void clientAskingForBeatsFasterThanTheFloorGetsTheFloor() {
        HeartBeat client = new HeartBeat(500, 500);

        assertThat(HeartBeat.offerFor(client, CONFIGURED, FLOOR)).isEqualTo(new HeartBeat(1_000, 1_000));
        assertThat(settled(client)).isEqualTo(new HeartBeat(1_000, 1_000));
    }

    @Test
    void clientAskingForBeatsBetweenTheFloorAndTheConfiguredOfferGetsWhatItAsked() {
        HeartBeat client = new HeartBeat(3_000, 2_000);

        assertThat(HeartBeat.offerFor(client, CONFIGURED, FLOOR)).isEqualTo(new HeartBeat(2_000, 3_000));
        assertThat(settled(client)).as("server beats every 2000, expects the client's every 3000")
                .isEqualTo(new HeartBeat(2_000, 3_000));
    }

    @Test
    void clientAskingForSlowerBeatsThanTheConfiguredOfferGetsWhatItAskedAsBefore() {
        HeartBeat client = new HeartBeat(30_000, 60_000);

        assertThat(HeartBeat.offerFor(client, CONFIGURED, FLOOR)).as("the configured offer").isEqualTo(CONFIGURED);
        assertThat(settled(client)).isEqualTo(new HeartBeat(60_000, 30_000));
    }

    @Test
    void clientAskingForNothingIsOfferedTheConfiguredValues() {
        assertThat(HeartBeat.offerFor(HeartBeat.NONE, CONFIGURED, FLOOR)).isEqualTo(CONFIGURED);
        assertThat(settled(HeartBeat.NONE)).isEqualTo(HeartBeat.NONE);
    }

    @Test
    void eachDirectionIsOfferedOnItsOwn() {
        assertThat(HeartBeat.offerFor(new HeartBeat(0, 1_500), CONFIGURED, FLOOR))
                .as("client cannot send: the configured wish for its beats stays")
                .isEqualTo(new HeartBeat(1_500, 10_000));
        assertThat(HeartBeat.offerFor(new HeartBeat(1_500, 0), CONFIGURED, FLOOR))
                .as("client wants no beats: the configured ability stays")
                .isEqualTo(new HeartBeat(10_000, 1_500));
    }

    @Test
    void aConfiguredZeroStaysZeroWhateverTheClientAsks() {
        HeartBeat serverSendsNone = new HeartBeat(0, 10_000);

        assertThat(HeartBeat.offerFor(new HeartBeat(2_000, 2_000), serverSendsNone, FLOOR))
                .isEqualTo(new HeartBeat(0, 2_000));
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(2_000, 2_000),
                HeartBeat.offerFor(new HeartBeat(2_000, 2_000), serverSendsNone, FLOOR)))
                .isEqualTo(new HeartBeat(0, 2_000));
    }

    @Test
    void aConfiguredOfferBelowTheFloorIsItselfTheFloor() {
        HeartBeat fast = new HeartBeat(100, 100);

        assertThat(HeartBeat.offerFor(new HeartBeat(50, 50), fast, FLOOR)).isEqualTo(fast);
        assertThat(HeartBeat.offerFor(new HeartBeat(500, 500), fast, FLOOR)).isEqualTo(fast);
        assertThat(HeartBeat.negotiateForServer(new HeartBeat(500, 500), HeartBeat.offerFor(new HeartBeat(500, 500), fast,
                FLOOR))).isEqualTo(new HeartBeat(500, 500));
    }

    @Test
    void aFloorBelowOneMillisecondIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> HeartBeat.offerFor(HeartBeat.NONE, CONFIGURED, 0));
    }
}
