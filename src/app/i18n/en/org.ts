export default {
  roles: {
    building_leader: 'Building leader',
    group_leader: 'Resident group leader',
    community_staff: 'Community staff',
    street_staff: 'Street office staff',
    district_staff: 'District staff',
    admin: 'Administrator',
    volunteer: 'Volunteer',
  },
  levels: {
    district: 'District',
    street: 'Street office',
    community: 'Community',
    group: 'Resident group',
    building: 'Building',
    reading_point: 'Reading point',
  },
  separator: ' › ',
  listSeparator: ', ',
  notLoaded: 'Your area has not been downloaded yet. It will download when the phone is online',
  buildingCount: { one: '{n} building', other: '{n} buildings' },
}
