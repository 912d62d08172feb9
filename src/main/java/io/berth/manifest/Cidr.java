package io.berth.manifest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 network in CIDR notation ({@code 10.89.1.0/24}), for a {@code kind: Network}'s subnet and
 * for allocating one that overlaps nothing. Only IPv4: Docker networks Berth makes are IPv4 (as
 * Compose's are without {@code enable_ipv6}). Immutable; pure.
 *
 * @param base   the network address as an unsigned 32-bit number (host bits zero)
 * @param prefix the prefix length, 0 to 32
 */
public record Cidr(long base, int prefix) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
    /** Docker needs room for the gateway and at least one container; /29 leaves five. */
    public static final int MAX_PREFIX = 29;
    public static final int MIN_PREFIX = 8;

    /** The subnet, or throws {@link IllegalArgumentException} with what would be valid. */
    public static Cidr parse(String text) {
        Matcher m = FORM.matcher(text);
        String valid = " (valid: an IPv4 network in CIDR notation with a prefix of /" + MIN_PREFIX + " to /" + MAX_PREFIX
                + ", like \"10.89.1.0/24\")";
        if (!m.matches()) {
            throw new IllegalArgumentException(Messages.quote(text) + " is not a subnet" + valid);
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new IllegalArgumentException(Messages.quote(text) + " has an octet above 255" + valid);
            }
            address = address << 8 | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
            throw new IllegalArgumentException(Messages.quote(text) + " has prefix /" + prefix + valid);
        }
        Cidr c = new Cidr(address & mask(prefix), prefix);
        if (c.base != address) {
            throw new IllegalArgumentException(Messages.quote(text) + " has host bits set (the network is " + c + ")" + valid);
        }
        return c;
    }

    /** Whether the text is any IPv4 CIDR Docker might report (any prefix, host bits ignored); null if not IPv4. */
    public static Cidr lenient(String text) {
        Matcher m = text == null ? null : FORM.matcher(text.strip());
        if (m == null || !m.matches() || Integer.parseInt(m.group(5)) > 32) {
            return null;
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                return null;
            }
            address = address << 8 | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        return new Cidr(address & mask(prefix), prefix);
    }

    public boolean overlaps(Cidr other) {
        int shorter = Math.min(prefix, other.prefix);
        return (base & mask(shorter)) == (other.base & mask(shorter));
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    /** The first usable address, which Docker makes the gateway. */
    public String gateway() {
        return address(base + 1);
    }

    @Override
    public String toString() {
        return address(base) + "/" + prefix;
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    private static String address(long a) {
        return (a >> 24 & 255) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255);
    }
}
