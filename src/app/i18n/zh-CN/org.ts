export default {
  roles: {
    building_leader: '楼栋长',
    group_leader: '居民小组长',
    community_staff: '社区工作人员',
    street_staff: '街道工作人员',
    district_staff: '区级工作人员',
    admin: '管理员',
    volunteer: '志愿者',
  },
  levels: {
    district: '区',
    street: '街道',
    community: '社区',
    group: '居民小组',
    building: '楼栋',
    reading_point: '读报点',
  },
  separator: ' › ',
  listSeparator: '、',
  notLoaded: '还没有下载您负责的范围，联网后会自动下载',
  buildingCount: { one: '共 {n} 栋楼', other: '共 {n} 栋楼' },
}
